using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Tessera.Analyzers;

/// <summary>String literals that carry credentials (a password in a connection string, a private key) or a catch-all scope.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LiteralAnalyzer : DiagnosticAnalyzer
{
    /// <summary><c>Password=...</c> or <c>Pwd=...</c> with a value, as in ADO.NET connection strings; or <c>scheme://user:password@host</c>.</summary>
    private static readonly Regex ConnectionPassword = new(
        @"(^|;)\s*(password|pwd)\s*=\s*[^;\s]|^[a-z][a-z0-9+.-]*://[^/:@\s]+:[^/@\s]+@",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>DER (PKCS#8, PKCS#12) in base64 starts with "MII"; below this length it cannot hold a key.</summary>
    private const int MinimumKeyBase64Length = 600;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Rules.ConnectionStringPassword, Rules.EmbeddedKey, Rules.DefaultScope);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.StringLiteralExpression);
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var literal = (LiteralExpressionSyntax)context.Node;
        if (literal.Token.Value is not string text || text.Length == 0)
        {
            return;
        }
        var location = literal.GetLocation();
        if (text.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) >= 0 && text.IndexOf("-----BEGIN", StringComparison.Ordinal) >= 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.EmbeddedKey, location, "A PEM private key"));
        }
        else if (text.Length >= MinimumKeyBase64Length && text.StartsWith("MII", StringComparison.Ordinal) && text.All(IsBase64))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.EmbeddedKey, location, "Base64 key or PFX material"));
        }
        else if (ConnectionPassword.IsMatch(text))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.ConnectionStringPassword, location));
        }
        else if (text.EndsWith("/.default", StringComparison.Ordinal) && text.IndexOf(' ') < 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.DefaultScope, location, text));
        }
    }

    private static bool IsBase64(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '=' or '\r' or '\n';
}
