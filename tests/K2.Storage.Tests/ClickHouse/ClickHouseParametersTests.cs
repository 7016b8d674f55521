using K2.Core;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.ClickHouse;

public sealed class ClickHouseParametersTests
{
    private static string Single(ClickHouseParameters parameters) => parameters.Values.ShouldHaveSingleItem().Value;

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("it's \"quoted\"", "it's \"quoted\"")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("a\tb\nc\rd\0e", "a\\tb\\nc\\rd\\0e")]
    [InlineData("ünïcødé", "ünïcødé")]
    public void Strings_are_sent_in_TabSeparated_escaped_form(string value, string sent)
    {
        Single(new ClickHouseParameters().Add("v", value)).ShouldBe(sent);
    }

    [Fact]
    public void Numbers_and_times_are_sent_in_invariant_engine_syntax()
    {
        var parameters = new ClickHouseParameters()
            .Add("id", long.MinValue)
            .Add("price", -67_123.45678901m)
            .Add("at", new UnixMicros(1_795_342_500_123_456))
            .Add("before", new UnixMicros(-1));

        parameters.Values.ShouldBe(
        [
            new("id", "-9223372036854775808"),
            new("price", "-67123.45678901"),
            new("at", "2026-11-22 10:15:00.123456"),
            new("before", "1969-12-31 23:59:59.999999"),
        ]);
    }

    [Fact]
    public void Setting_a_name_again_replaces_its_value()
    {
        var parameters = new ClickHouseParameters().Add("a", 1).Add("b", 2).Add("a", 3);

        parameters.Values.ShouldBe([new("b", "2"), new("a", "3")]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-b")]
    [InlineData("a b")]
    [InlineData("a}")]
    [InlineData("ä")]
    public void Names_other_than_ASCII_identifiers_are_refused(string name)
    {
        Should.Throw<ArgumentException>(() => new ClickHouseParameters().Add(name, 1)).ParamName.ShouldBe("name");
    }
}
