using Broadcast.Results;

namespace Broadcast.Push;

/// <summary>
/// Recent deltas per group, so a client that missed some (a dropped message, a short
/// disconnect) catches up with <c>Resume</c> instead of a full snapshot. Bounded twice: a few
/// dozen per group, and a total across groups with the oldest evicted first; what is evicted
/// is answered by a snapshot, which is always correct, only larger.
/// </summary>
public sealed class DeltaHistory(int perGroup = 64, int total = 100_000)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<GroupChange>> _groups = [];
    private readonly Queue<(string Group, long Version)> _arrival = new();

    public void Add(IEnumerable<GroupChange> deltas)
    {
        lock (_lock)
        {
            foreach (var delta in deltas)
            {
                var group = delta.Name;
                if (!_groups.TryGetValue(group, out var queue)) _groups[group] = queue = new Queue<GroupChange>();
                queue.Enqueue(delta);
                _arrival.Enqueue((group, delta.Version));
                if (queue.Count > perGroup) queue.Dequeue();
            }
            // The arrival queue is what is bounded: it has one entry per delta still held (and
            // some for deltas the per-group cap already dropped, which just go first).
            while (_arrival.Count > total && _arrival.TryDequeue(out var oldest))
            {
                if (_groups.TryGetValue(oldest.Group, out var queue) && queue.TryPeek(out var first) && first.Version == oldest.Version)
                {
                    queue.Dequeue();
                    if (queue.Count == 0) _groups.Remove(oldest.Group);
                }
            }
        }
    }

    /// <summary>A rebuild starts a new epoch: old versions mean nothing any more.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _groups.Clear();
            _arrival.Clear();
        }
    }

    /// <summary>
    /// The deltas of the group after <paramref name="version"/>, in order, when the history
    /// still holds the one that follows it; otherwise null.
    /// </summary>
    public IReadOnlyList<GroupChange>? Since(string group, long version)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var queue)) return null;
            var missed = queue.SkipWhile(d => d.PrevVersion != version).ToList();
            return missed.Count > 0 ? missed : null;
        }
    }
}
