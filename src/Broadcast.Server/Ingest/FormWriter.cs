using System.Threading.Channels;
using Broadcast.Aggregation;
using Broadcast.Health;
using Broadcast.Storage;

namespace Broadcast.Ingest;

/// <summary>
/// The single writer of forms: requests queue here and are stored in group commits (all the
/// requests waiting at that moment, in one transaction), so a commit is paid per batch, not
/// per form, and duplicate and idempotency decisions never race. A request's task completes
/// only after its commit is on disk; then the aggregator is woken.
/// </summary>
public sealed partial class FormWriter(FormStore store, AggregationTrigger trigger, BroadcastMetrics metrics, ILogger<FormWriter> logger) : BackgroundService
{
    private const int MaxFormsPerCommit = 20_000;

    private sealed record Pending(AppendRequest Request, TaskCompletionSource<AppendResult> Done);

    /// <summary>Requests waiting for a commit; beyond this the store is not keeping up and ingest answers 503.</summary>
    private const int MaxWaitingRequests = 2_000;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(MaxWaitingRequests) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public Task<AppendResult> AppendAsync(AppendRequest request)
    {
        var pending = new Pending(request, new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new StoreUnavailableException("the form writer is full or stopped");
        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            var forms = 0;
            while (forms < MaxFormsPerCommit && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                forms += pending.Request.Forms.Count;
            }
            try
            {
                var results = await store.AppendAsync(batch.Select(p => p.Request).ToList());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.SetResult(results[i]);
                var (stored, lastSeq) = (0, 0L);
                foreach (var receipt in results.Where(r => r.Outcome == AppendOutcome.Stored).SelectMany(r => r.Receipts))
                    if (receipt.Status != FormReceipt.Duplicate) (stored, lastSeq) = (stored + 1, Math.Max(lastSeq, receipt.Seq));
                if (stored > 0) trigger.Wake();
                metrics.FormsStored(stored, lastSeq);
            }
            catch (Exception e)
            {
                LogCommitFailed(logger, batch.Count, e);
                var failure = new StoreUnavailableException("the store did not accept the forms", e);
                foreach (var pending in batch) pending.Done.SetException(failure);
            }
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Storing {Requests} ingest requests failed; they were answered 503")]
    private static partial void LogCommitFailed(ILogger logger, int requests, Exception exception);
}

/// <summary>The store could not make forms durable; the client should retry later (503).</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
