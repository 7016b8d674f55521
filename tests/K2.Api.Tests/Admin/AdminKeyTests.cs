using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using K2.Api.Admin;
using K2.Api.RateLimits;
using K2.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace K2.Api.Tests.Admin;

/// <summary>
/// Admin actions need a configured key in X-Api-Key: off (404) without keys, 401 without the header, 403 with a wrong
/// key; keys come from configuration or a secret file, are compared as fixed-length digests, and never reach a log;
/// a request with a valid key is rate-limited in its key's own bucket, named after the key's name.
/// </summary>
public sealed class AdminKeyTests
{
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const string FileKey = "file-key-fedcba9876543210";
    private const string BareFileKey = "bare-key-aaaabbbbccccdddd";

    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> OpsKeySettings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["K2:Api:Admin:Keys:0:Name"] = "ops",
            ["K2:Api:Admin:Keys:0:Key"] = OpsKey,
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task Without_any_key_configured_admin_is_off_and_answers_404_problem()
    {
        await using var host = await AdminKeyHost.StartAsync(new Dictionary<string, string?>(), Ct);

        using var response = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", OpsKey, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await TitleAsync(response)).ShouldBe("Admin actions are off.");
    }

    [Fact]
    public async Task Missing_wrong_and_right_keys_get_401_403_and_through()
    {
        await using var host = await AdminKeyHost.StartAsync(OpsKeySettings(), Ct);
        // Same length as the right key and the same but for its last character.
        var wrong = OpsKey[..^1] + "0";

        using var missing = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", null, Ct);
        using var empty = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", "", Ct);
        using var refused = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", wrong, Ct);
        using var longer = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", OpsKey + OpsKey, Ct);
        using var accepted = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", OpsKey, Ct);

        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missing.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        missing.Headers.WwwAuthenticate.ToString().ShouldBe("ApiKey realm=\"k2-admin\", header=\"X-Api-Key\"");
        (await TitleAsync(missing)).ShouldBe("An API key is required.");
        empty.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await TitleAsync(refused)).ShouldBe("The API key is not valid.");
        longer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await accepted.Content.ReadFromJsonAsync<AdminKeyHost.Probe>(SnakeCase, Ct))!.KeyName.ShouldBe("ops");
    }

    [Fact]
    public async Task Keys_come_from_a_secret_file_as_name_and_key_or_a_bare_key_named_after_its_line()
    {
        using var directory = new TempDirectory("k2-admin-keys");
        var file = Path.Combine(directory.Path, "admin-keys");
        await File.WriteAllLinesAsync(file, ["# admin keys", $"ci:{FileKey}", BareFileKey, ""], Ct);
        await using var host = await AdminKeyHost.StartAsync(OpsKeySettings(("K2:Api:Admin:KeysFile", file)), Ct);

        using var named = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", FileKey, Ct);
        using var bare = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", BareFileKey, Ct);
        using var configured = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", OpsKey, Ct);

        (await named.Content.ReadFromJsonAsync<AdminKeyHost.Probe>(SnakeCase, Ct))!.KeyName.ShouldBe("ci");
        (await bare.Content.ReadFromJsonAsync<AdminKeyHost.Probe>(SnakeCase, Ct))!.KeyName.ShouldBe("line3");
        (await configured.Content.ReadFromJsonAsync<AdminKeyHost.Probe>(SnakeCase, Ct))!.KeyName.ShouldBe("ops");
    }

    [Fact]
    public async Task Bad_keys_stop_the_start_naming_the_setting_or_line_but_never_the_key()
    {
        using var directory = new TempDirectory("k2-admin-keys");
        var file = Path.Combine(directory.Path, "admin-keys");
        await File.WriteAllLinesAsync(file, ["bad name:" + FileKey, "ci:short"], Ct);
        var settings = new Dictionary<string, string?>
        {
            ["K2:Api:Admin:Keys:0:Name"] = "ops",
            ["K2:Api:Admin:Keys:0:Key"] = "tooshort",
            ["K2:Api:Admin:Keys:1:Name"] = "ops",
            ["K2:Api:Admin:Keys:1:Key"] = OpsKey,
            ["K2:Api:Admin:KeysFile"] = file,
        };

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => AdminKeyHost.StartAsync(settings, Ct));

        failure.Failures.ShouldBe(
        [
            "K2:Api:Admin:Keys:0: the key must be at least 16 characters without spaces or control characters.",
            "K2:Api:Admin:KeysFile line 1: the name must match ^[A-Za-z0-9._-]{1,64}$.",
            "K2:Api:Admin:KeysFile line 2: the key must be at least 16 characters without spaces or control characters.",
        ], ignoreOrder: false);
        var missing = await Should.ThrowAsync<OptionsValidationException>(() => AdminKeyHost.StartAsync(
            OpsKeySettings(("K2:Api:Admin:KeysFile", Path.Combine(directory.Path, "absent"))), Ct));
        missing.Failures.Single().ShouldStartWith($"K2:Api:Admin:KeysFile: cannot read '{Path.Combine(directory.Path, "absent")}'");
        foreach (var secret in new[] { "tooshort", FileKey, OpsKey, "short" })
        {
            failure.Message.ShouldNotContain(secret);
        }
    }

    [Fact]
    public async Task Keys_never_appear_in_any_log_entry_while_refusals_and_the_key_name_do()
    {
        await using var host = await AdminKeyHost.StartAsync(OpsKeySettings(), Ct);
        var wrong = "wrong-key-9999999999999999";

        using var refused = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", wrong, Ct);
        using var accepted = await host.SendAsync(HttpMethod.Post, "/v1/admin/probe", OpsKey, Ct);
        using var open = await host.SendAsync(HttpMethod.Get, "/v1/open", OpsKey, Ct);

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var entries = host.Logs.Entries;
        entries.ShouldContain(e => e.EventId.Id == ApiEventIds.AdminRefused && e.Message.Contains("unknown key", StringComparison.Ordinal));
        entries.ShouldContain(e => e.EventId.Id == ApiEventIds.AdminAccepted && e.Message.EndsWith("with key ops", StringComparison.Ordinal));
        foreach (var entry in entries)
        {
            $"{entry.Message} {entry.Exception}".ShouldNotContain(OpsKey);
            $"{entry.Message} {entry.Exception}".ShouldNotContain(wrong);
        }
    }

    [Fact]
    public void Keys_are_compared_as_digests_of_one_length_whatever_the_key_length()
    {
        AdminKeys.Digest(new string('k', AdminKeySource.MinKeyLength)).Length.ShouldBe(32);
        AdminKeys.Digest(new string('k', 100_000)).Length.ShouldBe(32);
        var keys = new AdminKeys(Options.Create(new AdminOptions
        {
            Keys = [new() { Name = "a", Key = OpsKey }, new() { Name = "b", Key = FileKey }],
        }));

        keys.Identify(OpsKey).ShouldBe("a");
        keys.Identify(FileKey).ShouldBe("b");
        keys.Identify(OpsKey[..^1]).ShouldBeNull();
        keys.Identify(null).ShouldBeNull();
    }

    [Fact]
    public async Task A_valid_key_draws_from_its_own_bucket_named_after_the_key_while_others_share_the_address_bucket()
    {
        // Two requests per hour: the third from the same bucket is refused however slow the machine.
        await using var host = await AdminKeyHost.StartAsync(OpsKeySettings(
            ("K2:Api:RateLimit:PermitsPerPeriod", "1"), ("K2:Api:RateLimit:Period", "01:00:00"), ("K2:Api:RateLimit:Burst", "2")), Ct);

        var anonymous = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Get, "/v1/open", null, Ct);
            anonymous.Add(response.StatusCode);
        }

        using var wrongKey = await host.SendAsync(HttpMethod.Get, "/v1/open", "wrong-key-9999999999999999", Ct);
        var withKey = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Get, "/v1/open", OpsKey, Ct);
            withKey.Add(response.StatusCode);
        }

        anonymous.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
        wrongKey.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "a wrong key counts against its address");
        withKey.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);

        var keys = new AdminKeys(Options.Create(new AdminOptions { Keys = [new() { Name = "ops", Key = OpsKey }] }));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Headers[AdminKeys.HeaderName] = OpsKey;
        ApiRateLimiting.PartitionOf(context, keys).ShouldBe("key ops");
        context.Request.Headers[AdminKeys.HeaderName] = "wrong-key-9999999999999999";
        ApiRateLimiting.PartitionOf(context, keys).ShouldBe("client 127.0.0.1");
    }

    private static async Task<string?> TitleAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("title").GetString();
}
