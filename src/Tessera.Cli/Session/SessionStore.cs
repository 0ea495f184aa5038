using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// The configuration folder and the session of one profile in it. The folder is <c>$TESSERA_CONFIG_DIR</c>, else
/// <c>$XDG_CONFIG_HOME/tessera</c>, else <c>~/.config/tessera</c>; the default profile's session is
/// <c>session.json</c>, profile <c>NAME</c>'s is <c>session.NAME.json</c>. Folder and files are the owner's only
/// (0700 / 0600): the session holds an access token and says where the credentials are.
/// </summary>
internal sealed partial class SessionStore
{
    public const string DefaultProfile = "default";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public SessionStore(string directory, string? profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        profile = string.IsNullOrWhiteSpace(profile) ? DefaultProfile : profile.Trim();
        if (!ProfileName().IsMatch(profile))
        {
            throw CommandFailure.Usage(CliErrors.ProfileNameInvalid.With(profile));
        }

        Directory = Path.GetFullPath(directory);
        Profile = profile;
        SessionPath = Path.Combine(Directory, profile == DefaultProfile ? "session.json" : $"session.{profile}.json");
    }

    /// <summary>The configuration folder.</summary>
    public string Directory { get; }

    public string Profile { get; }

    public string SessionPath { get; }

    /// <summary>The store the environment names: <c>--profile</c> (or <c>$TESSERA_PROFILE</c>) in the configuration folder.</summary>
    public static SessionStore FromEnvironment(string? profile)
        => new(ConfigurationDirectory(), profile ?? Environment.GetEnvironmentVariable("TESSERA_PROFILE"));

    public static string ConfigurationDirectory()
    {
        if (Environment.GetEnvironmentVariable("TESSERA_CONFIG_DIR") is { Length: > 0 } explicitDirectory)
        {
            return explicitDirectory;
        }

        if (Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "tessera");
        }

        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "tessera")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "tessera");
    }

    /// <summary>The profile's session, or null when it has never signed in (or signed out).</summary>
    public CliSession? Load()
    {
        if (!File.Exists(SessionPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CliSession>(File.ReadAllBytes(SessionPath), Json)
                   ?? throw new JsonException("the file is empty.");
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            throw CommandFailure.Usage(CliErrors.SessionUnreadable.With(SessionPath, Api.ServerExchange.OneLine(exception.Message)));
        }
    }

    /// <summary>The profile's session; not being signed in is a usage error.</summary>
    public CliSession Require() => Load() ?? throw CommandFailure.Usage(CliErrors.NotSignedIn.With(Profile));

    public void Save(CliSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        WritePrivate(SessionPath, JsonSerializer.SerializeToUtf8Bytes(session, Json));
    }

    /// <summary>Removes the profile's session; false when there was none.</summary>
    public bool Delete()
    {
        if (!File.Exists(SessionPath))
        {
            return false;
        }

        File.Delete(SessionPath);
        return true;
    }

    /// <summary>Another file of the configuration folder (the audit checkpoints, say).</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// Writes a file readable by its owner only: a temporary file created 0600 and moved over the old one, so the file
    /// is never briefly readable by others and a crash never leaves half a session.
    /// </summary>
    public void WritePrivate(string path, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        EnsureDirectory();
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProfileName();
}
