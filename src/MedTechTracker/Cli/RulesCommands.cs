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
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var ruleSet = RuleSetLoader.LoadFile(path);
                output.WriteLine($"{path}: {ruleSet.Rules.Count} rules, valid.");
                return CliHost.Ok;
            }
            catch (RuleSetValidationException ex)
            {
                foreach (var problem in ex.Errors)
                {
                    error.WriteLine(problem);
                }

                error.WriteLine($"{ex.Errors.Count} error{(ex.Errors.Count == 1 ? "" : "s")}.");
                return CliHost.InvalidConfiguration;
            }
        });

        return new Command("rules", "Work with rules files.") { validate };
    }
}
