using System.Net;
using Tessera.Policy.SharedSignals;

namespace Tessera.Policy.Tests.SharedSignals;

public sealed class StreamRulesTests
{
    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    public void UnfitReceiverAddress_IsRefused(string address)
        => Assert.True(StreamRules.IsUnfitReceiverAddress(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.12")]
    [InlineData("192.168.1.20")]
    [InlineData("172.16.5.5")]
    [InlineData("fd12:3456::1")]
    [InlineData("203.0.113.7")]
    [InlineData("2001:db8::7")]
    [InlineData("::ffff:10.0.0.12")]
    public void ApiAddress_IsAllowed(string address)
        => Assert.False(StreamRules.IsUnfitReceiverAddress(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data", "TSR8025")]
    [InlineData("https://[fe80::1]/caep", "TSR8025")]
    [InlineData("http://10.0.0.12/caep", "TSR8007")]
    [InlineData("https://api.example.com/caep", null)]
    [InlineData("http://127.0.0.1:9/caep", null)]
    public void PushEndpoint_IsCheckedByAddressAndScheme(string endpoint, string? code)
        => Assert.Equal(code, StreamRules.CheckPushEndpoint(endpoint)?.Code);
}
