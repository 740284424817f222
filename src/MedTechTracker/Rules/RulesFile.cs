namespace MedTechTracker.Rules;

/// <summary>Finds the rules file: as given, else relative to the executable (where the default pack is copied).</summary>
public static class RulesFile
{
    public static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path) || File.Exists(path))
        {
            return System.IO.Path.GetFullPath(path);
        }

        var besideApp = System.IO.Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideApp) ? besideApp : System.IO.Path.GetFullPath(path);
    }
}
