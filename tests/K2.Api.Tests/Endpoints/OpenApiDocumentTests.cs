using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;

namespace K2.Api.Tests.Endpoints;

/// <summary>The OpenAPI document describes every parameter of every endpoint with its type, range and values, and every answer.</summary>
public sealed class OpenApiDocumentTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/trades", "exchange symbol from to limit cursor format")]
    [InlineData("/v1/candles", "exchange symbol timeframe from to limit cursor format")]
    [InlineData("/v1/instruments", "exchange")]
    public async Task Lists_every_parameter_of_the_endpoint(string path, string names)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty("get");

        operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldBe(names.Split(' '));
        operation.GetProperty("parameters").EnumerateArray().ShouldAllBe(p => p.GetProperty("in").GetString() == "query");
        foreach (var status in new[] { "400", "429" })
        {
            operation.GetProperty("responses").GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue(status);
        }
    }

    [Fact]
    public async Task Describes_types_ranges_formats_and_allowed_values()
    {
        var parameters = (await DocumentAsync()).GetProperty("paths").GetProperty("/v1/candles").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        parameters["exchange"].GetProperty("required").GetBoolean().ShouldBeTrue();
        parameters["exchange"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["binance", "kraken", "coinbase"]);
        parameters["timeframe"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["1m", "5m", "15m", "30m", "1h", "1d"]);
        parameters["symbol"].GetProperty("schema").GetProperty("pattern").GetString().ShouldBe("^[A-Z0-9]{1,15}-[A-Z0-9]{1,15}$");
        parameters["from"].GetProperty("schema").GetProperty("format").GetString().ShouldBe("date-time");
        parameters["limit"].GetProperty("schema").GetProperty("type").GetString().ShouldBe("integer");
        parameters["limit"].GetProperty("schema").GetProperty("minimum").GetInt32().ShouldBe(1);
        parameters["limit"].GetProperty("schema").GetProperty("maximum").GetInt32().ShouldBe(5_000);
        parameters["from"].GetProperty("description").GetString()!.ShouldContain("oldest first");
        parameters["to"].GetProperty("description").GetString()!.ShouldContain("newest candles come first");
        parameters["format"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["json", "ndjson", "csv", "parquet"]);
    }

    [Fact]
    public async Task Documents_json_pages_and_the_exports_media_types()
    {
        var content = (await DocumentAsync()).GetProperty("paths").GetProperty("/v1/trades").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content");

        content.EnumerateObject().Select(c => c.Name).Order().ShouldBe(
            ["application/json", "application/vnd.apache.parquet", "application/x-ndjson", "text/csv"]);
    }

    [Fact]
    public async Task Documents_the_outage_answer_of_the_history_endpoints()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        foreach (var path in new[] { "/v1/trades", "/v1/candles" })
        {
            paths.GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("503").GetProperty("content")
                .TryGetProperty("application/problem+json", out _).ShouldBeTrue(path);
        }
    }

    [Fact]
    public async Task Lists_no_admin_key_scheme_where_no_operation_needs_one()
    {
        var document = await DocumentAsync();

        // The API library alone has no admin operations (the silo maps them, and its document lists the scheme).
        (document.TryGetProperty("components", out var components) && components.TryGetProperty("securitySchemes", out _)).ShouldBeFalse();
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await factory.CreateClient().GetAsync("/openapi/v1.json", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }
}
