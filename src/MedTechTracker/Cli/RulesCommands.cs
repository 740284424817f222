using System.CommandLine;
using MedTechTracker.Rules.Loading;

namespace MedTechTracker.Cli;

public static class RulesCommands
{
    public static Command Create()
    {
        var rules = CliOptions.Rules();
        var validate = new Command("validate", "Check a rules file; prints every error and exits 1, or exits 0.") { rules };
        validate.SetAction(parseResult =>
        {
            var path = CliOptions.ResolveRulesPath(parseResult.GetValue(rules));
            try
            {
                var ruleSet = RuleSetLoader.LoadFile(path);
                Console.WriteLine($"{path}: {ruleSet.Rules.Count} rules, valid.");
                return 0;
            }
            catch (RuleSetValidationException ex)
            {
                foreach (var error in ex.Errors)
                {
                    Console.Error.WriteLine(error);
                }

                Console.Error.WriteLine($"{ex.Errors.Count} error{(ex.Errors.Count == 1 ? "" : "s")}.");
                return 1;
            }
        });

        return new Command("rules", "Work with rules files.") { validate, RulesTestCommand.Create() };
    }
}
