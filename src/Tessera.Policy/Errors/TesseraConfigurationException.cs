namespace Tessera.Policy.Errors;

/// <summary>A setting that stops the server from starting; the message is the catalogue sentence, shown without a stack trace.</summary>
public sealed class TesseraConfigurationException(TesseraError error) : Exception(error?.Description)
{
    public TesseraError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
