using Tessera.Policy.Passwords;

namespace Tessera.Policy.Tests.Passwords;

public sealed class PasswordRulesTests
{
    private static readonly PasswordContext Contoso = new(
        OrganisationNames: ["Contoso Pharmaceuticals", "contoso.example", "contoso-pharma.example"],
        PersonNames: ["alice.wong@contoso.example", "Alice Wong"],
        BannedWords: ["aspirin", "Northwind", "blue-sky"],
        EnforceBannedWords: true);

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("a brand new passphrase")]
    [InlineData("tram orbit velvet canyon")]
    [InlineData("Zebra-Lantern-Quietly-87")]
    [InlineData("lazy summer afternoon by the lake")] // a season inside a sentence is fine
    [InlineData("ünïcödé wörds wörk tøø")] // any Unicode
    [InlineData("日本語のパスワードです長い")]
    [InlineData("846271935024")] // twelve digits with no pattern
    [InlineData("xK9#mQ2$vL7!pR4&")] // no composition rule, none needed
    public void Check_GoodPassword_Accepted(string password)
        => Assert.Null(PasswordRules.Check(password, Contoso)?.Description);

    [Theory]
    [InlineData("", "TSR5012")]
    [InlineData(null, "TSR5012")]
    [InlineData("elevenchars", "TSR5001")]
    [InlineData("👍👍👍👍👍👍👍👍👍👍👍", "TSR5001")] // 11 characters although 22 UTF-16 units
    public void Check_Length_Refused(string? password, string code)
        => Assert.Equal(code, PasswordRules.Check(password, Contoso)?.Code);

    [Fact]
    public void Check_LengthBounds_TwelveTo256()
    {
        Assert.Null(PasswordRules.Check("tram orbit v", PasswordContext.None));
        Assert.Null(PasswordRules.Check(string.Concat(Enumerable.Repeat("tram orbit velvet canyon ", 10)).PadRight(256, 'x')[..256], PasswordContext.None));
        Assert.Equal("TSR5002", PasswordRules.Check(new string('x', 100) + string.Concat(Enumerable.Repeat("tram orbit velvet canyon ", 10)), PasswordContext.None)?.Code);
    }

    [Theory]
    [InlineData("123456789012", "TSR5009")]
    [InlineData("qwertyuiop12", "TSR5004")] // on the common list before it is a walk
    [InlineData("zxcvbnm,./;''", "TSR5004")]
    [InlineData("mnbvcxz-asdfgh", "TSR5009")]
    [InlineData("1qaz2wsx3edc", "TSR5009")]
    [InlineData("iloveyou1234", "TSR5004")]
    [InlineData("qazwsxedcrfv", "TSR5009")]
    [InlineData("HomeSweetHome", "TSR5003")]
    [InlineData("counterstrike", "TSR5003")]
    [InlineData("sunshine2024!", "TSR5004")]
    [InlineData("Sunsh1ne2024!", "TSR5004")]
    [InlineData("P@ssw0rd1234", "TSR5004")]
    [InlineData("Password2024!", "TSR5004")]
    [InlineData("!!Dragon1999!!", "TSR5004")]
    [InlineData("michael19851985", "TSR5004")]
    [InlineData("M0nkey!!!!!!!!", "TSR5004")]
    public void Check_Common_Refused(string password, string code)
        => Assert.Equal(code, PasswordRules.Check(password, PasswordContext.None)?.Code);

    [Theory]
    [InlineData("Contoso2024!!", "TSR5005")]
    [InlineData("C0nt0so-rocks-hard", "TSR5005")]
    [InlineData("pharmaceuticals rule", "TSR5005")]
    [InlineData("i work at contosopharma", "TSR5005")]
    [InlineData("AliceInWonderland9", "TSR5006")]
    [InlineData("wong family trip 2024", "TSR5006")]
    [InlineData("A1ice-likes-tea-a-lot", "TSR5006")]
    public void Check_ContextWords_Refused(string password, string code)
        => Assert.Equal(code, PasswordRules.Check(password, Contoso)?.Code);

    [Theory]
    [InlineData("MyPassword-is-long", "TSR5007")]
    [InlineData("Welcome2Contoso", "TSR5005")] // the organisation's name is found first
    [InlineData("welcome to the jungle", "TSR5007")]
    [InlineData("GoSeaHawks2022!", "TSR5008")]
    [InlineData("Summer2024!!!", "TSR5004")] // a common base word too
    [InlineData("summerwinter2024", "TSR5008")]
    [InlineData("Winter2025Spring", "TSR5008")]
    [InlineData("SeptemberOctober", "TSR5008")]
    [InlineData("HappyFriday123!", "TSR5008")]
    [InlineData("ILoveLakers2023", "TSR5008")]
    [InlineData("Patriots#2019!!", "TSR5008")]
    public void Check_SprayPatterns_Refused(string password, string code)
        => Assert.Equal(code, PasswordRules.Check(password, Contoso)?.Code);

    [Theory]
    [InlineData("aaaaaaaaaaaaaaa")]
    [InlineData("7w!x7w!x7w!x")]
    [InlineData("xyz!xyz!xyz!xyz!")]
    [InlineData("blahblahblahblah")]
    public void Check_Repetition_Refused(string password)
        => Assert.Equal("TSR5010", PasswordRules.Check(password, PasswordContext.None)?.Code);

    [Theory]
    [InlineData("aspirin for everyone", "TSR5011")]
    [InlineData("ASP1R1N-for-everyone", "TSR5011")]
    [InlineData("aspirn for everyone!", "TSR5011")] // one letter dropped
    [InlineData("aspirins every day!!", "TSR5011")] // contains it
    [InlineData("n0rthw1nd traders co", "TSR5011")]
    [InlineData("northwond traders co", "TSR5011")] // one letter changed
    [InlineData("bluesky over the sea", "TSR5011")] // separators in the banned word do not matter
    public void Check_BannedList_RefusedWhenEnforced(string password, string code)
    {
        Assert.Equal(code, PasswordRules.Check(password, Contoso)?.Code);
        Assert.Null(PasswordRules.Check(password, Contoso with { EnforceBannedWords = false }));
    }

    [Fact]
    public void Check_Refusal_NeverEchoesThePassword()
    {
        const string password = "Contoso2024!!";
        var error = PasswordRules.Check(password, Contoso)!;
        Assert.DoesNotContain("Contoso2024", error.Description, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("2024", error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aspirin", null)]
    [InlineData("abc", "must be 4 to 64 characters long")]
    [InlineData("   ", "must be 4 to 64 characters long")]
    [InlineData("26896", "must hold at least 4 letters (digits read as the letters they stand for)")]
    public void BannedWordProblem_LengthAndLetters(string word, string? problem)
        => Assert.Equal(problem, PasswordRules.BannedWordProblem(word));

    [Fact]
    public void Check_LargestBannedList_EveryWordStillFound()
    {
        var banned = Enumerable.Range(0, 1000).Select(i => $"bannedword{i:D4}").ToArray();
        var context = Contoso with { BannedWords = banned };
        var password = string.Concat(Enumerable.Repeat("tram orbit velvet canyon ", 4));

        Assert.Null(PasswordRules.Check(password, context));
        Assert.Equal("TSR5011", PasswordRules.Check("tram orbit bannedword0999 canyon", context)?.Code);
    }
}
