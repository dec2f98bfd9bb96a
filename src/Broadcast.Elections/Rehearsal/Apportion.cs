namespace Broadcast.Elections.Rehearsal;

/// <summary>Whole numbers that add up exactly: how votes are split without losing or inventing one.</summary>
internal static class Apportion
{
    /// <summary>
    /// Splits <paramref name="total"/> into <paramref name="parts"/> in proportion to
    /// <paramref name="weights"/>. Each part is its quota rounded down or up; which ones are
    /// rounded up is drawn by systematic sampling, so on average every part equals its quota.
    /// (Largest remainders would never give a weak candidate the odd vote at a small station,
    /// and over 800,000 stations that bias would add up.) The parts always sum to the total.
    /// </summary>
    public static void Sample(int total, ReadOnlySpan<double> weights, Span<int> parts, ref Rng rng)
    {
        var n = weights.Length;
        if (n == 0)
        {
            if (total != 0) throw new ArgumentException("votes to split but nobody to give them to", nameof(weights));
            return;
        }
        double sum = 0;
        foreach (var w in weights) sum += w;
        var scale = sum > 0 ? total / sum : 0;
        var uniform = sum > 0 ? 0 : (double)total / n; // no weights at all: split evenly
        var u = rng.Uniform();
        double cumulative = 0;
        var given = 0;
        for (var i = 0; i < n; i++)
        {
            var quota = sum > 0 ? weights[i] * scale : uniform;
            var floor = Math.Floor(quota);
            var before = cumulative;
            cumulative += quota - floor;
            // the sampling points u, u+1, u+2, ... that fall in [before, cumulative)
            parts[i] = (int)floor + (int)(Math.Ceiling(cumulative - u) - Math.Ceiling(before - u));
            given += parts[i];
        }
        // Rounding in the sums above can leave the total off by one: settle on the largest parts.
        while (given != total)
        {
            var largest = 0;
            for (var i = 1; i < n; i++)
                if (parts[i] > parts[largest]) largest = i;
            var step = given < total ? 1 : -1;
            parts[largest] += step;
            given += step;
        }
    }
}
