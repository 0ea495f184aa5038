using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Tessera.Policy.Errors;
using Tessera.Policy.Workloads;

namespace Tessera.Server.Keys;

/// <summary>
/// The Data Protection key ring in a folder outside the database, readable by the account Tessera runs as only: the
/// folder is made 0700 and each key file 0600, written whole (to a temporary name, then moved). A folder that other
/// accounts can read or enter is refused at start. Several nodes share the ring by sharing the folder.
/// </summary>
/// <remarks>
/// <see cref="IXmlRepository"/> is the interface of a place the ring lives; an adapter for a hardware security module or
/// a cloud key vault implements it (storage), or <c>IXmlEncryptor</c> (wrapping each key), and is chosen in
/// <see cref="KeyProtection"/> like this one.
/// </remarks>
public sealed class FileSystemKeyRing : IXmlRepository
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                              UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _folder;

    /// <exception cref="TesseraConfigurationException">The folder exists and other accounts may use it.</exception>
    public FileSystemKeyRing(string folder)
    {
        _folder = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(_folder);
            return;
        }

        if (!System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.CreateDirectory(_folder, FolderMode);
        }

        var open = File.GetUnixFileMode(_folder) & OthersAccess;
        if (open != 0)
        {
            throw new TesseraConfigurationException(WorkloadErrors.KeyRingFolderOpen.With(_folder, open));
        }
    }

    public string Folder => _folder;

    public IReadOnlyCollection<XElement> GetAllElements()
        => [.. System.IO.Directory.EnumerateFiles(_folder, "*.xml").Order(StringComparer.Ordinal).Select(path => XElement.Load(path))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.Concat((friendlyName ?? Guid.NewGuid().ToString("N")).Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        var target = Path.Combine(_folder, (name.Length == 0 ? Guid.NewGuid().ToString("N") : name) + ".xml");
        var temporary = Path.Combine(_folder, "." + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            element.Save(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, target, overwrite: false);
    }
}
