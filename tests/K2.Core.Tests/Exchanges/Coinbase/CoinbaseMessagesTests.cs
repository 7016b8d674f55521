using System.Text.Json;
using System.Text.Json.Nodes;
using K2.Core.Exchanges.Coinbase;

namespace K2.Core.Tests.Exchanges.Coinbase;

public sealed class CoinbaseMessagesTests
{
    [Fact]
    public void The_market_trades_subscribe_is_the_docs_request_without_the_jwt()
    {
        var docs = JsonNode.Parse(CoinbaseFixtures.Load("ws_subscribe_request_market_trades.json"))!.AsObject();
        docs.Remove("jwt");

        var json = JsonSerializer.Serialize(CoinbaseSubscriptionRequest.SubscribeMarketTrades(["ETH-USD", "BTC-USD"]));

        json.ShouldBe(docs.ToJsonString());
        json.ShouldBe("""{"type":"subscribe","product_ids":["ETH-USD","BTC-USD"],"channel":"market_trades"}""");
    }

    [Fact]
    public void The_heartbeats_subscribe_names_no_products()
    {
        var docs = JsonNode.Parse(CoinbaseFixtures.Load("ws_subscribe_request_heartbeats.json"))!.AsObject();
        docs.Remove("jwt");

        var json = JsonSerializer.Serialize(CoinbaseSubscriptionRequest.SubscribeHeartbeats());

        json.ShouldBe(docs.ToJsonString());
        json.ShouldBe("""{"type":"subscribe","channel":"heartbeats"}""");
    }

    [Fact]
    public void Unsubscribing_without_products_leaves_the_channel()
    {
        JsonSerializer.Serialize(CoinbaseSubscriptionRequest.UnsubscribeMarketTrades())
            .ShouldBe("""{"type":"unsubscribe","channel":"market_trades"}""");
        JsonSerializer.Serialize(CoinbaseSubscriptionRequest.UnsubscribeMarketTrades(["BTC-USD"]))
            .ShouldBe("""{"type":"unsubscribe","product_ids":["BTC-USD"],"channel":"market_trades"}""");
    }

    [Fact]
    public void The_unauthenticated_docs_request_reads_back_into_the_same_record()
    {
        var request = JsonSerializer.Deserialize<CoinbaseSubscriptionRequest>(CoinbaseFixtures.Load("ws_subscribe_request_level2_unauthenticated.json"));

        request.ShouldNotBeNull();
        request.Type.ShouldBe(CoinbaseSubscriptionRequest.Subscribe);
        request.ProductIds.ShouldBe(["ETH-USD", "ETH-EUR"]);
        request.Channel.ShouldBe("level2");
    }
}
