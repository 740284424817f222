using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;

namespace MedTechTracker.Queue.Amqp;

/// <summary>The request/response pattern of $cbs and $management: a sender to the node and a receiver whose target is our reply-to address.</summary>
internal sealed class AmqpRequestResponseLink
{
    private readonly SenderLink _sender;
    private readonly ReceiverLink _receiver;
    private readonly string _replyTo;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Message>> _pending = new();

    // The peer must know our reply-to address before the first request, or it has nowhere to answer.
    private readonly TaskCompletionSource _responsesAttached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AmqpRequestResponseLink(Session session, string node)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        _replyTo = $"{node}-reply-{id}";
        _sender = new SenderLink(session, $"{node}-requests-{id}", node);
        _receiver = new ReceiverLink(session, $"{node}-responses-{id}", new Attach
        {
            Source = new Source { Address = node },
            Target = new Target { Address = _replyTo },
        }, (_, _) => _responsesAttached.TrySetResult());
        _receiver.Start(50, OnResponse);
        _receiver.AddClosedCallback((_, error) => FailAll(error));
        _sender.AddClosedCallback((_, error) => FailAll(error));
    }

    public bool IsClosed => _sender.IsClosed || _receiver.IsClosed;

    public async Task<Message> RequestAsync(Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var messageId = Guid.NewGuid().ToString();
        request.Properties ??= new Properties();
        request.Properties.MessageId = messageId;
        request.Properties.ReplyTo = _replyTo;
        var response = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[messageId] = response;
        try
        {
            await _responsesAttached.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await _sender.SendAsync(request, timeout).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return await response.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(messageId, out _);
        }
    }

    public async Task CloseAsync()
    {
        try
        {
            await _sender.CloseAsync().ConfigureAwait(false);
            await _receiver.CloseAsync().ConfigureAwait(false);
        }
        catch (AmqpException)
        {
            // Closing a link the peer already dropped.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnResponse(IReceiverLink link, Message message)
    {
        try
        {
            link.Accept(message);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // Runs on the connection's I/O thread: a throw here would end the process. The response still counts.
        }

        var correlationId = message.Properties?.CorrelationId?.ToString();
        if (correlationId is not null && _pending.TryGetValue(correlationId, out var pending))
        {
            pending.TrySetResult(message);
        }
    }

    private void FailAll(Error? error)
    {
        _responsesAttached.TrySetException(new AmqpException(error ?? new Error(ErrorCode.DetachForced) { Description = "The request link closed." }));
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new AmqpException(error ?? new Error(ErrorCode.DetachForced) { Description = "The request link closed." }));
        }
    }
}
