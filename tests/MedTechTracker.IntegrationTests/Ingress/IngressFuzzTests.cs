using System.Globalization;
using System.Net.Http.Headers;
using System.Net;
using System.Text;
using MedTechTracker.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class IngressFuzzTests(ITestOutputHelper output)
{
    private static readonly HttpStatusCode[] Documented =
    [
        HttpStatusCode.Accepted, HttpStatusCode.NoContent, HttpStatusCode.BadRequest,
        HttpStatusCode.Unauthorized, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType,
    ];

    private static readonly string[] JsonFragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-1", "1e400", "\"\\u0000\"", "\"\\ud800\"",
        "\"issue\"", "\"key\"", "\"id\"", "\"fields\"", "\"project\"", "\"webhookEvent\"", "\"jira:issue_created\"",
        "{\"key\":\"MED-1\"}", "\"MED-1\"", "12345", "\"subtask\":true", "\"hierarchyLevel\":-1", "\\", "\u00e9", "\U0001F600",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/vnd.api+json", "text/plain", "application/xml",
        "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/octet-stream", "*/*", "application/",
    ];

    [Fact]
    public async Task Randomised_bodies_and_headers_get_only_documented_status_codes_and_invalid_ones_enqueue_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MTC_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"Fuzz seed: {seed} (rerun with MTC_FUZZ_SEED={seed})");
        var random = new Random(seed);
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:MaxBodyBytes"] = "16384" });
        var counts = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < 1000; i++)
        {
            var (body, description) = MakeBody(random, i);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/jira") { Content = new ByteArrayContent(body) };
            var contentType = random.Next(10) < 8 ? "application/json" : ContentTypes[random.Next(ContentTypes.Length)];
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var signature = random.Next(10) switch
            {
                < 7 => WebhookSignature.Sign(IngressTestHost.Secret, body),
                7 => null,
                8 => WebhookSignature.Sign("wrong", body),
                _ => RandomAscii(random, random.Next(0, 90)),
            };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
            }

            if (random.Next(4) > 0)
            {
                request.Headers.TryAddWithoutValidation(JiraWebhookHandler.WebhookIdHeader, random.Next(5) == 0 ? RandomAscii(random, random.Next(0, 200)) : $"fuzz-{i}");
            }

            var before = host.Queue.Enqueued.Count;
            using var response = await host.Client.SendAsync(request);
            var after = host.Queue.Enqueued.Count;
            counts[response.StatusCode] = counts.GetValueOrDefault(response.StatusCode) + 1;

            Assert.True(Documented.Contains(response.StatusCode), $"case {i} ({description}, seed {seed}): undocumented status {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                Assert.True(after - before <= 1, $"case {i}: more than one message");
                if (after > before)
                {
                    var message = host.Queue.Enqueued[^1];
                    Assert.Matches("^[A-Za-z][A-Za-z0-9_]*-[0-9]+$", message.IssueKey);
                    Assert.Matches("^[0-9]+$", message.IssueId);
                }
            }
            else
            {
                Assert.True(after == before, $"case {i} ({description}, seed {seed}): {(int)response.StatusCode} but a message was enqueued");
            }
        }

        output.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{(int)c.Key}: {c.Value}")));
        Assert.True(counts.GetValueOrDefault(HttpStatusCode.Accepted) > 0, "the fuzz never produced a valid webhook");
        Assert.True(counts.GetValueOrDefault(HttpStatusCode.BadRequest) > 0, "the fuzz never produced an invalid body");

        using var alive = await host.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private static (byte[] Body, string Description) MakeBody(Random random, int i)
    {
        var valid = WebhookBodies.IssueCreated($"FZ-{i + 1}", (20000 + i).ToString(CultureInfo.InvariantCulture)).ToJsonString();
        switch (random.Next(9))
        {
            case 0:
                return (Encoding.UTF8.GetBytes(valid), "valid");
            case 1:
                var bytes = Encoding.UTF8.GetBytes(valid);
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return (bytes, "byte flips");
            case 2:
                return (Encoding.UTF8.GetBytes(valid[..random.Next(valid.Length)]), "truncated");
            case 3:
                var text = valid;
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var at = random.Next(text.Length);
                    text = text[..at] + JsonFragments[random.Next(JsonFragments.Length)] + text[at..];
                }

                return (Encoding.UTF8.GetBytes(text), "fragments inserted");
            case 4:
                var depth = random.Next(1, 200);
                return (Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), $"nesting {depth}");
            case 5:
                var bytesRandom = new byte[random.Next(0, 2000)];
                random.NextBytes(bytesRandom);
                return (bytesRandom, "random bytes");
            case 6:
                var replacement = random.Next(6) switch
                {
                    0 => "\"key\":123",
                    1 => "\"key\":\"" + RandomAscii(random, random.Next(0, 300)).Replace("\\", "/", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal) + "\"",
                    2 => "\"key\":null",
                    3 => "\"key\":{\"nested\":[1,2,3]}",
                    4 => "\"key\":\"MED-\\u0031\"",
                    _ => "\"key\":\"" + new string('A', 20000) + "\"",
                };
                return (Encoding.UTF8.GetBytes(valid.Replace($"\"key\":\"FZ-{i + 1}\"", replacement, StringComparison.Ordinal)), "key replaced");
            case 7:
                return (Encoding.UTF8.GetBytes(valid.Replace("\"fields\":{", "\"fields\":" + JsonFragments[random.Next(JsonFragments.Length)] + ",\"x\":{", StringComparison.Ordinal)), "fields replaced");
            default:
                return (Encoding.UTF8.GetBytes(valid + JsonFragments[random.Next(JsonFragments.Length)]), "trailing content");
        }
    }

    private static string RandomAscii(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }
}
