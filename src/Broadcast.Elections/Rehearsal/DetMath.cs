namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// The two transcendental functions the generator needs, written with + − × ÷ only. IEEE 754
/// rounds those exactly the same way everywhere, while <see cref="Math.Exp"/> comes from the
/// platform's C library and may differ in the last bit between machines; one such bit could
/// flip a rounding and change a form.
/// </summary>
internal static class DetMath
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2High = 0.6931471803691238;     // ln 2 split in two, so k·ln 2 loses no bits
    private const double Ln2Low = 1.9082149292705877e-10;

    /// <summary>e^x to about 1e-15 relative: x = k·ln 2 + r with |r| ≤ ln2/2, a Taylor series for e^r, then ×2^k exactly.</summary>
    public static double Exp(double x)
    {
        if (x < -700) return 0;
        if (x > 700) x = 700;
        var k = Math.Floor(x * Log2E + 0.5);
        var r = x - k * Ln2High - k * Ln2Low;
        var p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
            + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
            + r * (1.0 / 479001600))))))))))));
        return p * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }

    /// <summary>The standard normal distribution function Φ (Abramowitz and Stegun 26.2.17, error below 7.5e-8).</summary>
    public static double NormalCdf(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.2316419 * z);
        var poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        var tail = 0.3989422804014327 * Exp(-0.5 * z * z) * poly;
        return x >= 0 ? 1 - tail : tail;
    }
}
