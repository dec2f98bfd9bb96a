using Broadcast.Results;

namespace Broadcast.Client;

/// <summary>What a pushed frame means against the results held (docs/api.md, "Applying deltas").</summary>
internal enum FrameVerdict
{
    /// <summary>It starts at or before the version held and ends after it: apply it.</summary>
    Apply,
    /// <summary>Already applied, of the epoch just left, or not for this view.</summary>
    Ignore,
    /// <summary>It starts after the version held: something was missed; <c>Resume</c> from the version held.</summary>
    Gap,
    /// <summary>Another epoch (totals were rebuilt): take a fresh snapshot.</summary>
    Resync,
}

/// <summary>
/// One followed group's results and the rules that move them, as the web client's
/// <c>results-state.ts</c>: a snapshot, then frames applied strictly in version order. Pure: no
/// network, no clock, no threads; <see cref="BroadcastClient"/> makes the calls a verdict asks for.
/// Every state is a new immutable <see cref="ResultsSnapshot"/>, so a screen can hold one while the
/// next is built.
/// </summary>
internal sealed class FeedState(FeedView view)
{
    /// <summary>The epoch before the current one: its frames still queued after a resync are old news, not a reason to resync again.</summary>
    private string? _leftEpoch;

    /// <summary>The results held; null until the first snapshot.</summary>
    public ResultsSnapshot? Current { get; private set; }

    /// <summary>The epoch a held group's snapshot carries: its live epoch and this (docs/api.md, "Publication holds").</summary>
    public const string HeldEpochSuffix = "-held";

    /// <summary>Takes a snapshot (a subscribe answer, or a <c>Resume</c> whose history no longer reached); true when what is held moved.</summary>
    public bool Load(ResultsSnapshot snapshot)
    {
        var held = Current;
        // Never backwards within an epoch: a node that has not taken in the run we already hold
        // answers an older snapshot. The same version again moves nothing, unless the hold on it
        // changed (a release missed while reconnecting). A new epoch may start its versions
        // anywhere (a rebuild, a restored database, a hold taken or released): it wins, but for a
        // held snapshot (as of the hold's seq) older than the live numbers held.
        if (held is not null && held.Epoch == snapshot.Epoch
            && (snapshot.Version < held.Version || (snapshot.Version == held.Version && snapshot.Held == held.Held))) return false;
        if (held is not null && snapshot.Held is { } hold && snapshot.Epoch == held.Epoch + HeldEpochSuffix && hold.Seq < held.Version) return false;
        if (held is not null && held.Epoch != snapshot.Epoch) _leftEpoch = held.Epoch;
        Current = view == FeedView.Headline ? snapshot.ToHeadline() : snapshot;
        return true;
    }

    /// <summary>
    /// A pushed <see cref="HeldNotice"/>. Held: what is held stays as it is until the release (no
    /// frames come meanwhile), marked with <see cref="ResultsSnapshot.Held"/>. Released: the mark
    /// goes; the frame with what moved follows, or a <c>TotalsRebuilt</c> if the snapshot held was
    /// taken during the hold. True when what is held moved.
    /// </summary>
    public bool Hold(HeldNotice notice)
    {
        if (Current is not { } held) return false;
        var hold = notice.Held ? new HeldView(notice.Seq, notice.Since) : null;
        if (held.Held == hold) return false;
        Current = held with { Held = hold };
        return true;
    }

    public FrameVerdict Classify(IResultsFrame frame)
    {
        if (Current is not { } held) return FrameVerdict.Resync;
        if (frame.Epoch != held.Epoch) return frame.Epoch == _leftEpoch ? FrameVerdict.Ignore : FrameVerdict.Resync;
        if (frame.Version <= held.Version) return FrameVerdict.Ignore;
        if (frame.PrevVersion > held.Version) return FrameVerdict.Gap;
        // prevVersion < held < version (a frame conflated under a rate cap) is whole from our version
        // too: totals are absolute, a TotalsChanged child is whole, a Delta's present fields are
        // values, and the frame covers every change since its prevVersion. But a full view cannot
        // take a Headline (its children would go stale without a word): the next frame then shows a
        // gap, which Resume fills with whole deltas.
        return view == FeedView.Full && frame is Headline ? FrameVerdict.Ignore : FrameVerdict.Apply;
    }

    /// <summary>
    /// Applies a frame <see cref="Classify"/> said to apply. False when a <see cref="Delta"/> names a
    /// child or candidate not held: what it leaves out is unknown, only a fresh snapshot can tell.
    /// </summary>
    public bool Apply(IResultsFrame frame)
    {
        var held = Current ?? throw new InvalidOperationException("No snapshot to apply a frame to.");
        var next = view == FeedView.Headline ? ApplyHeadline(held, frame) : frame switch
        {
            TotalsChanged whole => ApplyWhole(held, whole),
            Delta lean => ApplyLean(held, lean),
            _ => throw new ArgumentException($"A full view does not apply a {frame.GetType().Name}.", nameof(frame)),
        };
        if (next is null) return false;
        Current = next;
        return true;
    }

    private static ResultsSnapshot WithTotals(ResultsSnapshot held, IResultsFrame f) => held with
    {
        Version = f.Version, Stations = f.Stations, Votes = f.Votes, Valid = f.Valid, Invalid = f.Invalid, Chain = f.Chain,
    };

    private static ResultsSnapshot ApplyHeadline(ResultsSnapshot held, IResultsFrame f) =>
        WithTotals(held, f) with { Seats = f.Seats is { } seats ? seats with { Dapils = [] } : held.Seats };

    private static ResultsSnapshot ApplyWhole(ResultsSnapshot held, TotalsChanged d) => WithTotals(held, d) with
    {
        Children = ReplaceById(held.Children, d.Children, c => c.Id),
        Candidates = d.Candidates is null ? held.Candidates : ReplaceById(held.Candidates ?? [], d.Candidates, c => c.Id),
        Seats = MergeSeats(held.Seats, d.Seats),
    };

    private static ResultsSnapshot? ApplyLean(ResultsSnapshot held, Delta d)
    {
        if (PatchById(held.Children, d.Children, c => c.Id, ch => ch.Id, PatchChild) is not { } children) return null;
        var candidates = held.Candidates;
        if (d.Candidates is not null)
        {
            candidates = PatchById(held.Candidates ?? [], d.Candidates, c => c.Id, ch => ch.Id, PatchCandidate);
            if (candidates is null) return null;
        }
        return WithTotals(held, d) with { Children = children, Candidates = candidates, Seats = MergeSeats(held.Seats, d.Seats) };
    }

    /// <summary>A delta's seats: total, won and threshold replace ours; its dapils (those that changed) replace ours by id.</summary>
    private static SeatsView? MergeSeats(SeatsView? held, SeatsView? changed) =>
        changed is null ? held : held is null ? changed : changed with { Dapils = ReplaceById(held.Dapils, changed.Dapils, d => d.Id) };

    private static ChildResults PatchChild(ChildResults c, ChildChange ch) => c with
    {
        Stations = c.Stations with
        {
            Reported = ch.Reported ?? c.Stations.Reported,
            Quarantined = ch.Quarantined ?? c.Stations.Quarantined,
        },
        Votes = ch.Votes is null ? c.Votes : Merge(c.Votes, ch.Votes),
        Valid = ch.Valid ?? c.Valid,
        Invalid = ch.Invalid ?? c.Invalid,
    };

    private static CandidateResults PatchCandidate(CandidateResults c, CandidateChange ch) =>
        c with { Votes = ch.Votes ?? c.Votes, Rank = ch.Rank ?? c.Rank, Elected = ch.Elected ?? c.Elected };

    /// <summary>Votes of a Delta's child: only the choices whose count changed, each replacing ours.</summary>
    private static Dictionary<string, long> Merge(IReadOnlyDictionary<string, long> held, IReadOnlyDictionary<string, long> changed)
    {
        var merged = new Dictionary<string, long>(held, StringComparer.Ordinal);
        foreach (var (choice, count) in changed) merged[choice] = count;
        return merged;
    }

    /// <summary>Replaces the listed items by id, keeps the others in their order, appends new ones.</summary>
    private static IReadOnlyList<T> ReplaceById<T>(IReadOnlyList<T> items, IReadOnlyList<T> changed, Func<T, string> id)
    {
        if (changed.Count == 0) return items;
        var byId = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in changed) byId[id(item)] = item;
        var merged = new List<T>(items.Count + byId.Count);
        foreach (var item in items) merged.Add(byId.Remove(id(item), out var next) ? next : item);
        merged.AddRange(changed.Where(item => byId.Remove(id(item))));
        return merged;
    }

    /// <summary>Merges changes into the items held, by id, in order; null when a change names an item not held.</summary>
    private static IReadOnlyList<T>? PatchById<T, TChange>(IReadOnlyList<T> items, IReadOnlyList<TChange> changes, Func<T, string> id,
        Func<TChange, string> changeId, Func<T, TChange, T> patch)
    {
        if (changes.Count == 0) return items;
        var patched = items.ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < patched.Count; i++) index[id(patched[i])] = i;
        foreach (var change in changes)
        {
            if (!index.TryGetValue(changeId(change), out var at)) return null;
            patched[at] = patch(patched[at], change);
        }
        return patched;
    }
}
