using Broadcast.Results;

namespace Broadcast.Client;

/// <summary>What a pushed frame means against the results held (docs/api.md, "Packed frames").</summary>
internal enum FrameVerdict
{
    /// <summary>It moves what is held forward: apply it.</summary>
    Apply,
    /// <summary>Already applied, or not for this view.</summary>
    Ignore,
    /// <summary>A <c>Delta</c> that does not start at the version held (something was missed), or no snapshot yet: take a fresh one.</summary>
    Resync,
}

/// <summary>
/// One followed group's results and the rules that move them, as the web client's
/// <c>results-state.ts</c>: a snapshot, then the packed frames of <c>SubscribeWith</c> applied
/// strictly in version order (docs/api.md, "Packed frames"). Pure: no network, no clock, no threads; <see cref="BroadcastClient"/> makes the calls a verdict asks for.
/// Every state is a new immutable <see cref="ResultsSnapshot"/>, so a screen can hold one while the
/// next is built.
/// </summary>
internal sealed class FeedState(FeedView view)
{
    /// <summary>The results held; null until the first snapshot.</summary>
    public ResultsSnapshot? Current { get; private set; }

    /// <summary>The epoch a held group's snapshot carries: its live epoch and this (docs/api.md, "Publication holds").</summary>
    public const string HeldEpochSuffix = "-held";

    /// <summary>Takes a snapshot (a subscribe answer); true when what is held moved.</summary>
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
        // A frame carries no epoch: the server sends a subscription frames of its snapshot's epoch
        // only, and TotalsRebuilt when there is a new one.
        if (Current is not { } held) return FrameVerdict.Resync;
        // Held numbers move only after the release's notice (none are sent before it).
        if (frame.Version <= held.Version || held.Held is not null) return FrameVerdict.Ignore;
        return frame switch
        {
            // Whole: absolute totals, whatever the versions in between. But a full view cannot take
            // one (its children would go stale without a word): the next Delta then starts after
            // what is held, and a fresh snapshot follows.
            Headline => view == FeedView.Full ? FrameVerdict.Ignore : FrameVerdict.Apply,
            // Increments: only on top of exactly what they start from. A fresh subscription also
            // resets the version the server believes this viewer holds.
            _ => frame.PrevVersion == held.Version ? FrameVerdict.Apply : FrameVerdict.Resync,
        };
    }

    /// <summary>
    /// Applies a frame <see cref="Classify"/> said to apply. False when it cannot be: a
    /// <see cref="Delta"/> naming a child or candidate not held, or whose numbers do not fit what
    /// is held. Only a fresh snapshot can tell what it left out.
    /// </summary>
    public bool Apply(IResultsFrame frame)
    {
        var held = Current ?? throw new InvalidOperationException("No snapshot to apply a frame to.");
        ResultsSnapshot? next;
        try
        {
            next = (frame, view) switch
            {
                (Headline headline, FeedView.Headline) => ApplyHeadline(held, headline),
                (Delta lean, FeedView.Full) => ApplyLean(held, lean),
                _ => throw new ArgumentException($"A {view} view does not apply a {frame.GetType().Name}.", nameof(frame)),
            };
        }
        catch (InvalidDataException)
        {
            return false;
        }
        if (next is null) return false;
        Current = next;
        return true;
    }

    /// <summary>The totals of a packed frame over those held.</summary>
    private static ResultsSnapshot WithTotals(ResultsSnapshot held, long version, PackedTotals totals, ChainHead? chain) => held with
    {
        Version = version,
        Stations = new StationCounts(totals.Total, totals.Reported, totals.Quarantined),
        Votes = PackedFrame.Votes(held.Votes, totals.Votes, increments: false),
        Valid = totals.Valid,
        Invalid = totals.Invalid,
        Chain = chain,
    };

    private static ResultsSnapshot ApplyHeadline(ResultsSnapshot held, Headline f)
    {
        var (totals, _, _) = PackedFrame.Read(f.Packed, _ => -1);
        // A headline leaves the chain out: what a headline feed holds stops naming a link.
        return WithTotals(held, f.Version, totals, null) with { Seats = f.Seats is { } seats ? seats with { Dapils = [] } : held.Seats };
    }

    private static ResultsSnapshot? ApplyLean(ResultsSnapshot held, Delta d)
    {
        var (totals, hash, changes) = PackedFrame.Read(d.Packed, i => i < held.Children.Count ? held.Children[i].Votes.Count : -1);
        var next = WithTotals(held, d.Version, totals, hash is null ? null : new ChainHead(d.Version, hash));
        var children = held.Children.ToArray();
        foreach (var change in changes) children[change.Index] = PatchChild(children[change.Index], change);
        var candidates = held.Candidates;
        if (d.Candidates is not null)
        {
            candidates = PatchById(held.Candidates ?? [], d.Candidates, c => c.Id, ch => ch.Id, PatchCandidate);
            if (candidates is null) return null;
        }
        return next with { Children = children, Candidates = candidates, Seats = MergeSeats(held.Seats, d.Seats) };
    }

    /// <summary>A delta's seats: total, won and threshold replace ours; its dapils (those that changed) replace ours by id.</summary>
    private static SeatsView? MergeSeats(SeatsView? held, SeatsView? changed) =>
        changed is null ? held : held is null ? changed : changed with { Dapils = ReplaceById(held.Dapils, changed.Dapils, d => d.Id) };

    /// <summary>A packed child over the one held: its values now, or increments to add.</summary>
    private static ChildResults PatchChild(ChildResults c, PackedChild ch)
    {
        long Now(long held, long value) => ch.Absolute ? value : held + value;
        return c with
        {
            Stations = c.Stations with { Reported = Now(c.Stations.Reported, ch.Reported), Quarantined = Now(c.Stations.Quarantined, ch.Quarantined) },
            Votes = PackedFrame.Votes(c.Votes, ch.Votes, increments: !ch.Absolute),
            Valid = Now(c.Valid, ch.Valid),
            Invalid = Now(c.Invalid, ch.Invalid),
        };
    }

    private static CandidateResults PatchCandidate(CandidateResults c, CandidateChange ch) =>
        c with { Votes = ch.Votes ?? c.Votes, Rank = ch.Rank ?? c.Rank, Elected = ch.Elected ?? c.Elected };

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
