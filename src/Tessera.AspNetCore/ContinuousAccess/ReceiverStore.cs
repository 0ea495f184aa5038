using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.AspNetCore.ContinuousAccess;

/// <summary>What a receiver keeps of its stream across restarts: the id, and for push the header the server sends.</summary>
internal sealed record StreamRecord(
    [property: JsonPropertyName("stream_id")] string StreamId,
    [property: JsonPropertyName("delivery_method")] string DeliveryMethod,
    [property: JsonPropertyName("endpoint_url")] string? EndpointUrl,
    [property: JsonPropertyName("authorization_header")] string? AuthorizationHeader);

/// <summary>
/// The receiver's folder (<see cref="TesseraContinuousAccessOptions.StateDirectory"/>): <c>stream.json</c> and
/// <c>revocations.log</c>, one line per revocation received, appended before the event is acknowledged and compacted at
/// start. Readable by the process owner only: the push header is a credential. Without a folder, the stream is kept in
/// memory only, for the life of the process.
/// </summary>
internal sealed class ReceiverStore(string? directory)
{
    private const string ClientMark = "client";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly Lock _appending = new();
    private StreamRecord? _stream;

    public bool Persistent => directory is not null;

    public StreamRecord? LoadStream()
    {
        if (_stream is not null)
        {
            return _stream;
        }

        var path = PathOf("stream.json");
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            return _stream = JsonSerializer.Deserialize<StreamRecord>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void SaveStream(StreamRecord stream)
    {
        _stream = stream;
        if (PathOf("stream.json") is { } path)
        {
            Write(path, JsonSerializer.Serialize(stream));
        }
    }

    /// <summary>The revocations kept (some may no longer be in force: <see cref="RevocationState"/> drops those).</summary>
    public IEnumerable<(Subject Subject, long At)> LoadRevocations()
    {
        var path = PathOf("revocations.log");
        if (path is null || !File.Exists(path))
        {
            return [];
        }

        var entries = new List<(Subject, long)>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ');
            // "tid oid at", and "client" after it for a client application's revocation.
            if (parts.Length is 3 or 4 && Guid.TryParse(parts[0], out var tid) && Guid.TryParse(parts[1], out var oid) &&
                long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) && (parts.Length == 3 || parts[3] == ClientMark))
            {
                entries.Add((new Subject(tid, oid, IsClient: parts.Length == 4), at));
            }
        }

        return entries;
    }

    public void CompactRevocations(IEnumerable<(Subject Subject, long At)> inForce)
    {
        if (PathOf("revocations.log") is { } path)
        {
            Write(path, string.Concat(inForce.Select(Line)));
        }
    }

    public void AppendRevocation(Subject subject, long at)
    {
        if (PathOf("revocations.log") is not { } path)
        {
            return;
        }

        lock (_appending)
        {
            using var stream = new FileStream(path, Options(FileMode.Append));
            stream.Write(System.Text.Encoding.UTF8.GetBytes(Line((subject, at))));
            stream.Flush(flushToDisk: true);
        }
    }

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    private static string Line((Subject Subject, long At) entry)
        => string.Create(CultureInfo.InvariantCulture, $"{entry.Subject.TenantId:D} {entry.Subject.ObjectId:D} {entry.At}{(entry.Subject.IsClient ? " " + ClientMark : string.Empty)}\n");

    private string? PathOf(string file)
    {
        if (directory is null)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        return Path.Combine(directory, file);
    }

    // Written beside, then moved over: a crash leaves the old file or the new one, never half of one.
    private static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, Options(FileMode.Create)))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
