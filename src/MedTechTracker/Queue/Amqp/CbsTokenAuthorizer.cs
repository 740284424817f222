using Amqp;
using Amqp.Framing;
using Azure.Core;

namespace MedTechTracker.Queue.Amqp;

/// <summary>Entra ID on Service Bus: put a JWT for each entity on $cbs, again before it expires (Service Bus drops the links of an expired token).</summary>
internal sealed class CbsTokenAuthorizer(TokenCredential credential, string audienceHost, TimeSpan timeout)
{
    public static readonly string[] Scopes = ["https://servicebus.azure.net/.default"];

    /// <summary>Puts a token for every entity; returns when the earliest token expires.</summary>
    public async Task<DateTimeOffset> PutTokensAsync(AmqpRequestResponseLink cbs, IEnumerable<string> entities, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext(Scopes), cancellationToken).ConfigureAwait(false);
        foreach (var entity in entities)
        {
            var request = new Message(token.Token)
            {
                ApplicationProperties = new ApplicationProperties(),
            };
            request.ApplicationProperties["operation"] = "put-token";
            request.ApplicationProperties["type"] = "jwt";
            request.ApplicationProperties["name"] = $"amqp://{audienceHost}/{entity}";
            request.ApplicationProperties["expiration"] = token.ExpiresOn.UtcDateTime;

            var response = await cbs.RequestAsync(request, timeout, cancellationToken).ConfigureAwait(false);
            var status = response.ApplicationProperties?["status-code"] switch
            {
                int i => i,
                long l => (int)l,
                _ => 0,
            };
            if (status is not (200 or 202))
            {
                throw new AmqpException(new Error(ErrorCode.UnauthorizedAccess)
                {
                    Description = $"CBS put-token for {entity} was refused with status {status}: {response.ApplicationProperties?["status-description"]}",
                });
            }
        }

        return token.ExpiresOn;
    }
}
