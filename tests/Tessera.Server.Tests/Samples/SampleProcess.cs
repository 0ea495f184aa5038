using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Server.Tests.Samples;

/// <summary>
/// A sample (or a script) running as a process of its own, as a person runs it: its output is kept, lines can be waited
/// for, and it is killed, with its children, when disposed.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();
    private readonly string _name;

    private SampleProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    /// <summary>Everything the process printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added.</summary>
    public static SampleProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test host's own ASP.NET Core or .NET settings reaches the sample.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var sample = new SampleProcess(name, process);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return sample;
    }

    /// <summary>
    /// Runs a .NET sample from its build output: <c>dotnet {sample}.dll</c>. Where coreutils' <c>timeout</c> is, under it:
    /// a test run that is killed before it disposes its samples leaves no server running for more than ten minutes.
    /// </summary>
    public static SampleProcess StartSample(string sample, string workingDirectory, params string[] arguments)
        => StartAssembly(sample, SampleBuild.Assembly(sample), workingDirectory, arguments);

    /// <summary>Runs a built .NET application, <c>dotnet {assembly}</c>, under <c>timeout</c> where there is one (see <see cref="StartSample"/>).</summary>
    public static SampleProcess StartAssembly(string name, string assembly, string workingDirectory, params string[] arguments)
        => File.Exists(Timeout)
            ? Start(name, Timeout, ["600", DotNet, assembly, .. arguments], workingDirectory)
            : Start(name, DotNet, [assembly, .. arguments], workingDirectory);

    /// <summary>Waits until a line of the output matches <paramref name="pattern"/>; fails if the process ends first.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var match = pattern.Match(Output);
            if (match.Success)
            {
                return match;
            }

            if (_process.HasExited)
            {
                // The last lines may still be on their way.
                await _process.WaitForExitAsync();
                match = pattern.Match(Output);
                return match.Success
                    ? match
                    : throw new Xunit.Sdk.XunitException($"{_name} exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"{_name} printed no /{pattern}/ within {timeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>Waits for the process to end; fails the test if it does not within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{_name} did not finish within {timeout.TotalSeconds} s:\n{Output}");
        }

        // WaitForExitAsync also waits for the end of the redirected output.
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    public override string ToString() => $"{_name}:\n{Output}";

    private const string Timeout = "/usr/bin/timeout";

    private static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>Where the samples are, and their build output (built with the tests: see the test project's references).</summary>
public static class SampleBuild
{
    public static string RepositoryRoot => Interop.NodeScript.RepositoryRoot;

    public static string SamplesFolder => Path.Combine(RepositoryRoot, "samples");

    /// <summary>The configuration the tests were built in; the samples were built in the same.</summary>
    private static string Configuration =>
        typeof(SampleBuild).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;

    /// <summary>The Tessera server's own build output (the tests reference it, so it is built with them).</summary>
    public static string ServerAssembly
    {
        get
        {
            var path = Path.Combine(RepositoryRoot, "src", "Tessera.Server", "bin", Configuration, "net10.0", "Tessera.Server.dll");
            return File.Exists(path)
                ? path
                : throw new Xunit.Sdk.XunitException($"{path} is missing: build the tests (they build the server), e.g. dotnet build Tessera.slnx -c {Configuration}.");
        }
    }

    public static string Assembly(string sample)
    {
        var path = Path.Combine(SamplesFolder, sample, "bin", Configuration, "net10.0", sample + ".dll");
        return File.Exists(path)
            ? path
            : throw new Xunit.Sdk.XunitException($"{path} is missing: build the tests (they build the samples), e.g. dotnet build Tessera.slnx -c {Configuration}.");
    }
}
