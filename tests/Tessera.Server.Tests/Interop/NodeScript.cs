using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.Interop;

/// <summary>
/// Runs a script of <c>tests/js-interop</c> with Node.js: configuration in, as JSON in <c>TESSERA_INTEROP</c>; the
/// result out, as the last JSON line of stdout. Missing Node.js or packages fail the test with what to do, never
/// skip it: a JavaScript client that is not tested must not look like one that passed.
/// </summary>
public static class NodeScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InteropFolder => Path.Combine(RepositoryRoot, "tests", "js-interop");

    /// <summary>Runs <paramref name="script"/> and returns its <c>results</c>; a failed step fails the test with its error and log.</summary>
    /// <param name="trustedCertificatePem">The test server's certificate, for Node.js to trust (<c>NODE_EXTRA_CA_CERTS</c>).</param>
    /// <param name="packageFolders">Folders whose <c>node_modules</c> the script needs, besides <c>tests/js-interop</c>.</param>
    public static async Task<JsonObject> RunAsync(string script, object config, string trustedCertificatePem, params string[] packageFolders)
    {
        foreach (var folder in packageFolders.Prepend(InteropFolder))
        {
            if (!System.IO.Directory.Exists(Path.Combine(folder, "node_modules")))
            {
                throw new Xunit.Sdk.XunitException(
                    $"{Path.GetRelativePath(RepositoryRoot, folder)}/node_modules is missing: run 'npm ci' there (tests/run does it before the .NET tests).");
            }
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.Environment["TESSERA_INTEROP"] = JsonSerializer.Serialize(config);
        start.Environment["NODE_EXTRA_CA_CERTS"] = trustedCertificatePem;
        start.Environment["NODE_NO_WARNINGS"] = "1";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"Node.js is needed for the JavaScript interop tests and 'node' could not be started ({exception.Message}): install Node.js 20 or later.");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new Xunit.Sdk.XunitException($"{script} did not finish within {Timeout.TotalSeconds} s.\n{await stderr}");
            }

            var log = await stderr;
            var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            var result = last is null ? null : TryParse(last);
            if (result is null)
            {
                throw new Xunit.Sdk.XunitException($"{script} exited with {process.ExitCode} and printed no result.\n{log}");
            }

            if (result["ok"]?.GetValue<bool>() != true)
            {
                throw new Xunit.Sdk.XunitException($"{script}: step '{result["step"]}' failed: {result["error"]}\n{log}");
            }

            return result["results"]!.AsObject();
        }
    }

    private static JsonObject? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tessera.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Tessera.slnx above {AppContext.BaseDirectory}.");
    }
}
