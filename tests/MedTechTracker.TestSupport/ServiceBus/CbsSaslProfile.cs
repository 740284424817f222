using Amqp;
using Amqp.Framing;
using Amqp.Sasl;
using Amqp.Types;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>The server side of SASL "MSSBCBS", the only mechanism the SDK offers: authentication comes later, by $cbs put-token.</summary>
internal sealed class CbsSaslProfile() : SaslProfile(Name)
{
    public static readonly Symbol Name = new("MSSBCBS");

    protected override ITransport UpgradeTransport(ITransport transport) => transport;

    protected override DescribedList GetStartCommand(string hostname) => throw new NotSupportedException("Server side only.");

    protected override DescribedList OnCommand(DescribedList command) =>
        command.Descriptor.Code == new SaslInit().Descriptor.Code
            ? new SaslOutcome { Code = SaslCode.Ok }
            : throw new AmqpException(ErrorCode.NotAllowed, command.ToString());
}
