namespace PayMyInvoice.Local;

/// <summary>The checkout this tool runs from: the nearest folder above it that holds serverless.yml.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "serverless.yml")) && Directory.Exists(Path.Combine(dir.FullName, "src", "Local")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository (a folder with serverless.yml and src/Local) above the current directory.");
    }
}
