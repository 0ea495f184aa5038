using Tessera.Policy.Errors;

namespace Tessera.Cli.Failures;

/// <summary>
/// A failure the command reports as one line on standard error with its exit code. The message is meant for a
/// person: either the server's own message (which starts with its TSR code) or one of <see cref="CliErrors"/>.
/// </summary>
internal sealed class CommandFailure : Exception
{
    public CommandFailure()
    {
    }

    public CommandFailure(string message)
        : base(message)
    {
    }

    public CommandFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private CommandFailure(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = ExitCodes.Unavailable;

    /// <summary>Bad arguments or local configuration (exit code 2).</summary>
    public static CommandFailure Usage(TesseraError error) => new(ExitCodes.Usage, Describe(error));

    /// <summary>The server refused (exit code 3).</summary>
    public static CommandFailure Refused(TesseraError error) => new(ExitCodes.Refused, Describe(error));

    /// <summary>The server refused with its own message (exit code 3).</summary>
    public static CommandFailure Refused(string serverMessage) => new(ExitCodes.Refused, serverMessage);

    /// <summary>The server failed or could not be reached (exit code 4).</summary>
    public static CommandFailure Unavailable(TesseraError error) => new(ExitCodes.Unavailable, Describe(error));

    /// <summary>The server failed with its own message (exit code 4).</summary>
    public static CommandFailure Unavailable(string serverMessage) => new(ExitCodes.Unavailable, serverMessage);

    private static string Describe(TesseraError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Description;
    }
}
