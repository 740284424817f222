using MedTechTracker.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MedTechTracker.Cli;

/// <summary>Plain tables for command output: no colours or markup, so text is printed as it is and pipes stay clean.</summary>
internal static class CliTable
{
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    /// <summary>Cells often hold stored text (dead-letter reasons, job errors): never a raw control character to a terminal.</summary>
    public static void AddRow(this Table table, IEnumerable<string?> cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(SafeText.Clean(cell, int.MaxValue - 16))).ToArray());

    public static void Write(TextWriter writer, IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!ReferenceEquals(writer, Console.Out) || Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        console.Write(renderable);
    }
}
