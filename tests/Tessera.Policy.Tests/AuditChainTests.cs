using Tessera.Policy.Audit;

namespace Tessera.Policy.Tests;

public sealed class AuditChainTests
{
    private static List<AuditLink> Chain(int count)
    {
        var links = new List<AuditLink>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= count; i++)
        {
            var record = new AuditRecord(i, Guid.Empty, DateTimeOffset.UnixEpoch.AddSeconds(i), "Cat", $"Act {i}", "success", "{}", "[]", $"c{i}");
            var hash = AuditChain.Hash(previous, record);
            links.Add(new AuditLink(record, previous, hash));
            previous = hash;
        }

        return links;
    }

    [Fact]
    public void Verify_UntouchedChain_Intact()
        => Assert.True(AuditChain.Verify(Chain(5)).Intact);

    [Fact]
    public void Verify_EditedEntry_BrokenAtThatEntry()
    {
        var links = Chain(5);
        links[2] = links[2] with { Record = links[2].Record with { ActivityDisplayName = "innocent" } };
        var result = AuditChain.Verify(links);
        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public void Verify_DeletedEntry_BrokenWhereItWas()
    {
        var links = Chain(5);
        links.RemoveAt(1);
        Assert.Equal(2, AuditChain.Verify(links).FirstBrokenSequence);
    }

    [Fact]
    public void Verify_RehashedEntryWithoutRelinking_BrokenAtTheNext()
    {
        var links = Chain(5);
        var forged = links[2].Record with { Result = "failure" };
        links[2] = links[2] with { Record = forged, Hash = AuditChain.Hash(links[2].PreviousHash, forged) };
        Assert.Equal(4, AuditChain.Verify(links).FirstBrokenSequence);
    }

    [Fact]
    public void Hash_SubMillisecondDifference_Ignored()
    {
        var record = new AuditRecord(1, Guid.Empty, DateTimeOffset.UnixEpoch.AddTicks(1234), "c", "a", "r", "{}", "[]", "x");
        Assert.Equal(AuditChain.Hash(AuditChain.Genesis, record), AuditChain.Hash(AuditChain.Genesis, record with { ActivityDateTime = DateTimeOffset.UnixEpoch }));
    }
}
