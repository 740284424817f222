using System.Text;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>Renders the issue → sub-task tree of a simulator snapshot.</summary>
public static class IssueTree
{
    public static string Render(SimulatorSnapshot snapshot, string? project = null)
    {
        var byKey = snapshot.Issues.ToDictionary(i => i.Key, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var group in snapshot.Issues.Where(i => project is null || i.Project == project).GroupBy(i => i.Project))
        {
            text.Append("Project ").AppendLine(group.Key);
            foreach (var issue in group.Where(i => i.Parent is null))
            {
                text.Append("  ").Append(issue.Key).Append(" [").Append(issue.Type).Append("] ").AppendLine(issue.Summary);
                if (issue.Subtasks.Count == 0)
                {
                    text.AppendLine("      (no sub-tasks)");
                }

                for (var i = 0; i < issue.Subtasks.Count; i++)
                {
                    var sub = byKey[issue.Subtasks[i]];
                    text.Append(i == issue.Subtasks.Count - 1 ? "      └─ " : "      ├─ ")
                        .Append(sub.Key).Append(' ').Append(sub.Summary);
                    if (sub.Labels.Count > 0)
                    {
                        text.Append("  {").Append(string.Join(", ", sub.Labels)).Append('}');
                    }

                    text.AppendLine();
                }
            }
        }

        return text.ToString();
    }
}
