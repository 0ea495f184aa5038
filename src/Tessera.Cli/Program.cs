namespace Tessera.Cli;

/// <summary>The <c>tessera</c> command.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => Commands.TesseraCommand.RunAsync(args);
}
