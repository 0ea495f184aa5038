namespace Tessera.Analyzers.Tests;

internal static class Repository
{
    /// <summary>The folder that holds Tessera.slnx, found upwards from the test binaries.</summary>
    public static string Root { get; } = Find(AppContext.BaseDirectory);

    private static string Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tessera.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Tessera.slnx not found above " + start);
    }
}
