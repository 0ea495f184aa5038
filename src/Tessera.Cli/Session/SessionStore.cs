using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>
/// The configuration folder and the session of one profile in it. The folder is <c>$TESSERA_CONFIG_DIR</c>, else
/// <c>$XDG_CONFIG_HOME/tessera</c>, else <c>~/.config/tessera</c>; the default profile's session is
/// <c>session.json</c>, profile <c>NAME</c>'s is <c>session.NAME.json</c>. Folder and files are the owner's only
/// (0700 / 0600): the session holds an access token and says where the credentials are. A person's refresh token
/// is a credential of its own and lives apart, in <c>tokens.json</c> (<c>tokens.NAME.json</c>), so that the session
/// can be shown or copied without it.
/// </summary>
internal sealed partial class SessionStore
{
    public const string DefaultProfile = "default";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>How long a command waits for another one renewing the same profile's tokens.</summary>
    private static readonly TimeSpan RenewalWait = TimeSpan.FromSeconds(30);

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
        TokensPath = Path.Combine(Directory, profile == DefaultProfile ? "tokens.json" : $"tokens.{profile}.json");
    }

    /// <summary>The configuration folder.</summary>
    public string Directory { get; }

    public string Profile { get; }

    public string SessionPath { get; }

    /// <summary>The profile's refresh token, for a person signed in with a device code.</summary>
    public string TokensPath { get; }

    private string RenewalLockPath => TokensPath + ".lock";

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

    /// <summary>Saves the session; a session that is not a person's leaves no refresh token of an earlier one behind.</summary>
    public void Save(CliSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        WritePrivate(SessionPath, JsonSerializer.SerializeToUtf8Bytes(session, Json));
        if (session.Credential.Kind != SessionCredential.DeviceKind)
        {
            DeleteTokens();
        }
    }

    /// <summary>The profile's refresh token, or null when it has none.</summary>
    public string? LoadRefreshToken()
    {
        if (!File.Exists(TokensPath))
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<StoredTokens>(File.ReadAllBytes(TokensPath), Json);
            return string.IsNullOrEmpty(stored?.RefreshToken) ? null : stored.RefreshToken;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            throw CommandFailure.Usage(CliErrors.SessionUnreadable.With(TokensPath, Api.ServerExchange.OneLine(exception.Message)));
        }
    }

    /// <summary>
    /// Keeps a refresh token, replacing the one it was rotated from. Written before the new access token is used:
    /// the old refresh token is spent, and presenting it again would revoke the whole family.
    /// </summary>
    public void SaveRefreshToken(string refreshToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        WritePrivate(TokensPath, JsonSerializer.SerializeToUtf8Bytes(new StoredTokens(refreshToken), Json));
    }

    /// <summary>
    /// Waits until no other command renews this profile's tokens, and holds that until disposed. Refresh tokens are
    /// rotated on every use and a replayed one revokes its family, so two commands of one profile must never redeem
    /// the same one: the second re-reads the session after the first has renewed it.
    /// </summary>
    public async Task<IDisposable> LockRenewalAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        EnsureDirectory();
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var giveUp = time.GetUtcNow() + RenewalWait;
        while (true)
        {
            try
            {
                return new FileStream(RenewalLockPath, options);
            }
            catch (IOException) when (time.GetUtcNow() < giveUp)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes the profile's session and refresh token; false when there was no session.</summary>
    public bool Delete()
    {
        DeleteTokens();
        if (!File.Exists(SessionPath))
        {
            return false;
        }

        File.Delete(SessionPath);
        return true;
    }

    private void DeleteTokens()
    {
        foreach (var path in (string[])[TokensPath, RenewalLockPath])
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
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

    /// <summary>The contents of the tokens file.</summary>
    private sealed record StoredTokens(string RefreshToken);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProfileName();
}
