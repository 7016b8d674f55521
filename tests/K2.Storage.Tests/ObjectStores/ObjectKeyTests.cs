using K2.Storage.ObjectStores;

namespace K2.Storage.Tests.ObjectStores;

public sealed class ObjectKeyTests
{
    [Theory]
    [InlineData("cold/silver_trades/data/exchange_ts_day=2026-11-22/0f8fad5b-d9cb-469f-a165-70867728950e.parquet")]
    [InlineData("cold/silver_trades/metadata/00003-0f8fad5b-d9cb-469f-a165-70867728950e.metadata.json")]
    [InlineData("cold/silver_trades/metadata/snap-8744736658442914487-1-0f8fad5b.avro")]
    [InlineData("cold/gold_ohlcv_1m/metadata/version-hint.text")]
    [InlineData("a")]
    public void Iceberg_style_keys_are_valid(string key) => Should.NotThrow(() => ObjectKey.Validate(key));

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("/cold/a", "it starts with '/'")]
    [InlineData("cold/", "it ends with '/'")]
    [InlineData("cold//a", "it has an empty segment ('//')")]
    [InlineData("cold/../a", "segment '..' starts with '.'")]
    [InlineData("cold\\a", "it contains a backslash")]
    [InlineData("cold/a b", "it contains the character U+0020")]
    [InlineData("cold/*.parquet", "it contains '*'")]
    public void An_invalid_key_is_refused_with_the_rule_it_breaks(string key, string reason)
    {
        var error = Should.Throw<InvalidObjectKeyException>(() => ObjectKey.Validate(key));

        error.Message.ShouldStartWith($"Invalid object key '{key}': {reason}");
        error.ShouldBeAssignableTo<ArgumentException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("cold/")]
    [InlineData("cold/silver_trades/data/exchange_ts_day=2026-11")]
    public void Prefixes_may_be_empty_end_with_a_slash_or_stop_mid_segment(string prefix) =>
        Should.NotThrow(() => ObjectKey.ValidatePrefix(prefix));
}
