using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tessera.Cli.Output;

/// <summary>
/// Everything a command prints on standard output: with <c>--json</c> the API's JSON as it came (indented), otherwise
/// tables and name/value lists for people. Text from the server is always printed as text, never read as markup.
/// </summary>
internal sealed class Printer
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a terminal, not a web page: keep names readable
    };

    private static readonly JsonSerializerOptions OneLine = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IAnsiConsole _console;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    public Printer(TextWriter output, TextWriter error, bool json)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        _output = output;
        _error = error;
        Json = json;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out))
        {
            // Piped into a file or another program: no terminal width to respect, and wrapped ids would be cut in two.
            _console.Profile.Width = 1024;
        }
    }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    /// <summary>Prints <paramref name="json"/> with <c>--json</c>, otherwise runs <paramref name="forPeople"/>.</summary>
    public void Result(JsonNode? json, Action forPeople)
    {
        ArgumentNullException.ThrowIfNull(forPeople);
        if (Json)
        {
            WriteJson(json);
        }
        else
        {
            forPeople();
        }
    }

    public void WriteJson(JsonNode? json) => _output.WriteLine(json?.ToJsonString(Indented) ?? "null");

    /// <summary>
    /// JSON on one line, written out at once: for a program reading standard output while the command still runs
    /// (the device code of <c>tessera login --device --json</c>).
    /// </summary>
    public void WriteJsonLine(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _output.WriteLine(json.ToJsonString(OneLine));
        _output.Flush();
    }

    /// <summary>A collection as a table, or <paramref name="empty"/> when it has no items.</summary>
    public void Table(IEnumerable<JsonObject> rows, IReadOnlyList<Column> columns, string empty)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        var items = rows.ToList();
        if (items.Count == 0)
        {
            Line(empty);
            return;
        }

        var table = new Table().Border(TableBorder.Minimalist);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column.Header)) { NoWrap = false });
        }

        foreach (var item in items)
        {
            table.AddRow(columns.Select(c => (IRenderable)new Text(c.Cell(item) ?? string.Empty)).ToArray());
        }

        _console.Write(table);
    }

    /// <summary>One resource as name/value lines.</summary>
    public void Details(IEnumerable<(string Name, string? Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name + ":"), new Text(value ?? string.Empty));
        }

        _console.Write(grid);
    }

    /// <summary>A line of plain text on standard output.</summary>
    public void Line(string text) => _output.WriteLine(text);

    /// <summary>A notice on standard error, where it cannot spoil output that is piped on (the JSON of <c>--json</c>).</summary>
    public void Notice(string text)
    {
        _error.WriteLine(text);
        _error.Flush();
    }
}
