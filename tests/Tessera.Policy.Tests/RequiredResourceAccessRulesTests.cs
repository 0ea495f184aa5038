using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class RequiredResourceAccessRulesTests
{
    private static readonly Guid Orders = Guid.Parse("0a000000-0000-4000-8000-000000000001");
    private static readonly Guid Unknown = Guid.Parse("0a000000-0000-4000-8000-0000000000ff");
    private static readonly Guid Read = Guid.Parse("5c000000-0000-4000-8000-000000000001");
    private static readonly Guid Write = Guid.Parse("5c000000-0000-4000-8000-000000000002");
    private static readonly Guid ReadAll = Guid.Parse("a0000000-0000-4000-8000-000000000001");
    private static readonly Guid Approver = Guid.Parse("a0000000-0000-4000-8000-000000000002");

    // Orders.Read and Orders.ReadWrite as scopes; Orders.Read.All for applications. Approver (users only) is not offered.
    private static readonly Dictionary<Guid, ExposedApi> Apis = new()
    {
        [Orders] = new ExposedApi(Orders, "Orders API", new HashSet<Guid> { Read, Write }, new HashSet<Guid> { ReadAll }),
    };

    private static readonly Dictionary<string, Guid> Names = new(StringComparer.Ordinal)
    {
        ["orders"] = Orders, ["unknown"] = Unknown, ["read"] = Read, ["write"] = Write, ["readAll"] = ReadAll, ["approver"] = Approver,
    };

    /// <summary>"orders:Scope read,Role readAll;unknown:..." → the entries.</summary>
    private static List<RequiredResource> Parse(string table)
        => [.. table.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(resource =>
        {
            var (api, rest) = (resource.Split(':')[0], resource.Split(':')[1]);
            var access = rest.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => new ResourceAccessItem(Names[a.Split(' ')[1]], a.Split(' ')[0]))
                .ToList();
            return new RequiredResource(Names[api], access);
        })];

    [Theory]
    [InlineData("", null)]
    [InlineData("orders:", null)]
    [InlineData("orders:Scope read", null)]
    [InlineData("orders:Scope read,Scope write,Role readAll", null)]
    [InlineData("unknown:Scope read", "TSR3080")]
    [InlineData("orders:Scope readAll", "TSR3081")]
    [InlineData("orders:Scope approver", "TSR3081")]
    [InlineData("orders:Role read", "TSR3082")]
    [InlineData("orders:Role approver", "TSR3082")]
    [InlineData("orders:scope read", "TSR3083")]
    [InlineData("orders:Delegated read", "TSR3083")]
    [InlineData("orders:Scope read,Scope read", "TSR3084")]
    [InlineData("orders:Scope read;orders:Scope write", "TSR3084")]
    public void Check_Table_EachEntryARealPermissionOfARealApiOnce(string table, string? code)
        => Assert.Equal(code, RequiredResourceAccessRules.Check(Parse(table), Apis)?.Code);

    [Fact]
    public void Check_TooManyApisOrPermissions_Refused()
    {
        var apis = Enumerable.Range(1, RequiredResourceAccessRules.MostApis + 1)
            .Select(i => new ExposedApi(Guid.NewGuid(), $"API {i}", new HashSet<Guid> { Read }, new HashSet<Guid>()))
            .ToDictionary(a => a.AppId);
        var fifty = apis.Values.Take(RequiredResourceAccessRules.MostApis).Select(a => new RequiredResource(a.AppId, [new ResourceAccessItem(Read, "Scope")])).ToList();
        Assert.Null(RequiredResourceAccessRules.Check(fifty, apis));

        var fiftyOne = apis.Values.Select(a => new RequiredResource(a.AppId, [new ResourceAccessItem(Read, "Scope")])).ToList();
        Assert.Equal("TSR3085", RequiredResourceAccessRules.Check(fiftyOne, apis)?.Code);

        var scopes = Enumerable.Range(0, RequiredResourceAccessRules.MostPermissions + 1).Select(_ => Guid.NewGuid()).ToList();
        var wide = new Dictionary<Guid, ExposedApi> { [Orders] = new(Orders, "Wide API", scopes.ToHashSet(), new HashSet<Guid>()) };
        var tooMany = new List<RequiredResource> { new(Orders, [.. scopes.Select(s => new ResourceAccessItem(s, "Scope"))]) };
        Assert.Equal("TSR3085", RequiredResourceAccessRules.Check(tooMany, wide)?.Code);
    }

    [Fact]
    public void Check_UnknownScope_NamesThePermissionTheApiAndWhereToLook()
    {
        var error = RequiredResourceAccessRules.Check(Parse("orders:Scope approver"), Apis)!;
        Assert.Contains(Approver.ToString("D"), error.Description, StringComparison.Ordinal);
        Assert.Contains("'Orders API'", error.Description, StringComparison.Ordinal);
        Assert.Contains($"/servicePrincipals/{Orders:D}", error.Description, StringComparison.Ordinal);
    }
}
