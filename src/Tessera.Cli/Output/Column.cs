using System.Text.Json.Nodes;

namespace Tessera.Cli.Output;

/// <summary>A table column: its header and how to read its cell from a resource.</summary>
internal sealed record Column(string Header, Func<JsonObject, string?> Cell);
