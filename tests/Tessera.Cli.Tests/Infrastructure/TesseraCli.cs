using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>What a run of the command left: its exit code and everything it printed.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("stdout is JSON null.");

    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real <c>tessera</c> program (<c>dotnet tessera.dll</c>) as a separate process, with a configuration folder
/// of its own so that runs never see the developer's sessions.
/// </summary>
public sealed class TesseraCli(string configDirectory)
{
    private static readonly Lazy<string> Program = new(Locate);

    public string ConfigDirectory { get; } = configDirectory;

    public string SessionPath => Path.Combine(ConfigDirectory, "session.json");

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), null, args);

    public string TokensPath => Path.Combine(ConfigDirectory, "tokens.json");

    public async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, string? input, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args)) ?? throw new InvalidOperationException("tessera did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tessera {string.Join(' ', args)} did not finish within 90 seconds.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the command and returns while it runs, for commands that wait for something the test does (a device code's approval).</summary>
    public CliProcess Start(params string[] args)
        => new(Process.Start(StartInfo(new Dictionary<string, string>(), args)) ?? throw new InvalidOperationException("tessera did not start."), args);

    private ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Program.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TESSERA_CONFIG_DIR"] = ConfigDirectory;
        start.Environment.Remove("TESSERA_PROFILE");
        start.Environment.Remove("XDG_CONFIG_HOME");
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
            : "dotnet";

    /// <summary><c>tessera.dll</c> next to the test assembly, else in the CLI project's output of the same configuration.</summary>
    private static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "tessera.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "tessera.runtimeconfig.json")))
        {
            return beside;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tessera.slnx")))
            {
                var built = Path.Combine(folder.FullName, "src", "Tessera.Cli", "bin", configuration, "net10.0", "tessera.dll");
                return File.Exists(built) ? built : throw new FileNotFoundException("Build src/Tessera.Cli first.", built);
            }
        }

        throw new FileNotFoundException("tessera.dll is neither beside the tests nor in the CLI project's output.");
    }
}
