namespace Tessera.Server.Hosting;

/// <summary>The data folder: created readable by the owner only, and files in it written the same way.</summary>
public sealed class DataFolder
{
    public DataFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (!System.IO.Directory.Exists(Path))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(Path);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file that only the owner may read, atomically: it appears whole or not at all.</summary>
    public void WriteSecretFile(string name, ReadOnlySpan<byte> content)
    {
        var target = File(name);
        var temporary = target + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        System.IO.File.Move(temporary, target, overwrite: false);
    }
}
