using System.Text;
using MedTechTracker.Ingress;

namespace MedTechTracker.Tests.Ingress;

public sealed class WebhookSignatureTests
{
    private const string VectorSecret = "It's a Secret to Everybody";
    private const string VectorSignature = "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9";
    private static readonly byte[] VectorBody = Encoding.UTF8.GetBytes("Hello World!");

    [Fact]
    public void Atlassian_test_vector_is_signed_and_verified()
    {
        Assert.Equal(VectorSignature, WebhookSignature.Sign(VectorSecret, VectorBody));
        Assert.Equal(SignatureCheck.Valid, new WebhookSignature(VectorSecret).Verify(VectorSignature, VectorBody));
    }

    [Fact]
    public void Upper_case_hex_and_method_are_accepted()
    {
        Assert.Equal(SignatureCheck.Valid, new WebhookSignature(VectorSecret).Verify("SHA256=" + VectorSignature[7..].ToUpperInvariant(), VectorBody));
    }

    [Fact]
    public void Secondary_secret_verifies_during_rotation()
    {
        var rotating = new WebhookSignature("the new secret", VectorSecret);

        Assert.Equal(SignatureCheck.Valid, rotating.Verify(VectorSignature, VectorBody));
        Assert.Equal(SignatureCheck.Valid, rotating.Verify(WebhookSignature.Sign("the new secret", VectorBody), VectorBody));
        Assert.Equal(SignatureCheck.Mismatch, new WebhookSignature("the new secret").Verify(VectorSignature, VectorBody));
    }

    [Fact]
    public void A_single_changed_body_byte_is_a_mismatch()
    {
        var verifier = new WebhookSignature(VectorSecret);

        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(VectorSignature, Encoding.UTF8.GetBytes("Hello World?")));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(VectorSignature, Encoding.UTF8.GetBytes("Hello World! ")));
    }

    [Theory]
    [InlineData("sha1=0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33")]
    [InlineData("sha512=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    [InlineData("md5=a4771c39fbe90f317c7824e83ddef3ca")]
    public void Methods_other_than_sha256_are_refused(string header)
    {
        Assert.Equal(SignatureCheck.UnsupportedMethod, new WebhookSignature(VectorSecret).Verify(header, VectorBody));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256=")]
    [InlineData("=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    [InlineData("a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    [InlineData("sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c")]
    [InlineData("sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9a")]
    [InlineData("sha256=z4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    [InlineData("sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9=")]
    public void Malformed_headers_are_refused(string header)
    {
        Assert.Equal(SignatureCheck.Malformed, new WebhookSignature(VectorSecret).Verify(header, VectorBody));
    }

    [Fact]
    public void Missing_header_is_reported_as_missing()
    {
        Assert.Equal(SignatureCheck.Missing, new WebhookSignature(VectorSecret).Verify(null, VectorBody));
    }

    [Fact]
    public void Without_any_secret_nothing_verifies()
    {
        var verifier = new WebhookSignature(null, "");

        Assert.False(verifier.HasSecret);
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(WebhookSignature.Sign("", VectorBody), VectorBody));
    }

    [Fact]
    public void Random_bodies_and_secrets_verify_only_with_their_own_signature()
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var body = new byte[random.Next(0, 4096)];
            random.NextBytes(body);
            var secret = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var header = WebhookSignature.Sign(secret, body);
            var verifier = new WebhookSignature(secret);

            Assert.True(verifier.Verify(header, body) == SignatureCheck.Valid, $"seed {seed}, case {i}");
            if (body.Length > 0)
            {
                body[random.Next(body.Length)] ^= (byte)random.Next(1, 256);
                Assert.True(verifier.Verify(header, body) == SignatureCheck.Mismatch, $"seed {seed}, case {i}");
            }
        }
    }
}
