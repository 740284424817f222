using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

public sealed class TokenPhraseTests
{
    [Theory]
    [InlineData("bump {word} to {version}", "Bump Newtonsoft.Json to 13.0.3")]
    [InlineData("bump {word} from {version} to {version}", "bump libpng from 1.6.37 to 1.6.43.")]
    [InlineData("upgrade {word} to {version}", "Upgrade Qt to v6")]
    [InlineData("upgrade to {version}", "upgrade to 2024.1, see notes")]
    [InlineData("upgrade {word}", "upgrade C++ toolchain")]
    public void A_token_phrase_hits_real_version_bumps(string phrase, string text) =>
        Assert.True(Hits(phrase, text));

    [Theory]
    [InlineData("upgrade to {version}", "upgrade to 3 devices")]
    [InlineData("upgrade to {version}", "upgrade to version 3")]
    [InlineData("bump {word} to {version}", "bump the library to latest")]
    [InlineData("upgrade {word}", "upgrade")]
    [InlineData("upgrade to {version}", "upgrade to .3")]
    public void A_token_phrase_does_not_hit_without_the_token(string phrase, string text) =>
        Assert.False(Hits(phrase, text));

    [Fact]
    public void A_version_needs_a_dot_or_a_v_prefix()
    {
        Assert.True(Hits("to {version}", "to v2"));
        Assert.True(Hits("to {version}", "to 2.0"));
        Assert.False(Hits("to {version}", "to 2"));
    }
}
