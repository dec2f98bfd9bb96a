namespace Broadcast.History;

/// <summary>
/// An array that only grows, in fixed chunks: one writer appends, readers read without a lock
/// any index below a count the writer published after writing it (<see cref="RevisionHistory"/>
/// publishes its counts with a volatile write). Growing never copies elements, so an 800k-entry
/// log grows without a doubling copy on the large-object heap, and a reader holding the old
/// chunk table still finds every element it may read in it.
/// </summary>
internal sealed class AppendOnlyArray<T> where T : struct
{
    private const int ChunkBits = 16;
    public const int ChunkSize = 1 << ChunkBits;
    private const int Mask = ChunkSize - 1;

    private T[][] _chunks = [];
    private int _count;

    /// <summary>Elements written so far (the writer's own count: readers use the count they were published).</summary>
    public int Count => _count;

    /// <summary>Bytes held by the chunks (what the log costs in memory).</summary>
    public long Bytes => (long)Volatile.Read(ref _chunks).Count(c => c is not null) * ChunkSize * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public T this[int index] => Volatile.Read(ref _chunks)[index >> ChunkBits][index & Mask];

    public void Add(T value)
    {
        Reserve(1)[0] = value;
        _count++;
    }

    /// <summary>
    /// Appends the elements of <paramref name="values"/> kept in one chunk (padding the rest of the current
    /// one when they do not fit), so they can be read back as one span; returns where they start.
    /// </summary>
    public int AddContiguous(ReadOnlySpan<T> values)
    {
        if (values.Length > ChunkSize) throw new ArgumentOutOfRangeException(nameof(values), "longer than a chunk");
        if ((_count & Mask) + values.Length > ChunkSize) _count = (_count | Mask) + 1; // start the next chunk
        var start = _count;
        values.CopyTo(Reserve(values.Length));
        _count += values.Length;
        return start;
    }

    /// <summary><paramref name="length"/> elements from <paramref name="start"/>, which <see cref="AddContiguous"/> kept in one chunk.</summary>
    public ReadOnlySpan<T> Slice(int start, int length) =>
        Volatile.Read(ref _chunks)[start >> ChunkBits].AsSpan(start & Mask, length);

    /// <summary>Room for <paramref name="length"/> elements at <see cref="Count"/>, within one chunk.</summary>
    private Span<T> Reserve(int length)
    {
        var chunk = _count >> ChunkBits;
        if (chunk >= _chunks.Length)
        {
            // A new table with the same chunks: readers holding the old one read what they may from it.
            var grown = new T[Math.Max(4, _chunks.Length * 2)][];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }
        _chunks[chunk] ??= new T[ChunkSize];
        return _chunks[chunk].AsSpan(_count & Mask, length);
    }
}
