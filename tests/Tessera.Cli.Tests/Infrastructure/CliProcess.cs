using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Tessera.Cli.Tests.Infrastructure;

/// <summary>
/// A <c>tessera</c> process that is still running: its standard output can be read line by line while it waits
/// (for a device code's approval, say), and its end collected as a <see cref="CliResult"/>. Killed if left running.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly string _command;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly Task _pump;
    private readonly Task<string> _stderr;

    internal CliProcess(Process process, string[] args)
    {
        _process = process;
        _command = "tessera " + string.Join(' ', args);
        _process.StandardInput.Close();
        _stderr = _process.StandardError.ReadToEndAsync();
        _pump = PumpAsync();
    }

    /// <summary>The next line of standard output that is a JSON object.</summary>
    public async Task<JsonObject> ReadJsonLineAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(timeout.Token))
            {
                try
                {
                    if (JsonNode.Parse(line) is JsonObject json)
                    {
                        return json;
                    }
                }
                catch (JsonException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_command} printed no JSON line within {Patience.TotalSeconds} seconds.");
        }

        throw new InvalidOperationException($"{_command} ended without printing a JSON line.\n{await WaitAsync()}");
    }

    /// <summary>Waits for the command to end; everything it printed, including lines already read.</summary>
    public async Task<CliResult> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_command} did not finish within {Patience.TotalSeconds} seconds.");
        }

        await _pump;
        return new CliResult(_process.ExitCode, _stdout.ToString(), await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _stdout.AppendLine(line);
            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.Complete();
    }
}
