using System.Numerics;

namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// What a stream of random numbers is for. It is part of every stream's seed, so two uses of the
/// same station or region never share numbers, and adding a use later changes no other.
/// </summary>
internal enum Purpose : ulong
{
    VillageSize = 1,
    StationSize,
    RegencyTurnout,
    DistrictTurnout,
    StationTurnout,
    RegencyInvalid,
    StationInvalid,
    PartyPreference,
    Stronghold,
    AllocationNoise,
    Candidates,
    FormNoise,
    ContestRegion,
    Arrival,
}

/// <summary>Seeds derived from the run's seed and what a stream is for (SplitMix64's finaliser as the mixing function).</summary>
internal static class Seeds
{
    /// <summary>SplitMix64's output function: a bijection on 64 bits that spreads every input bit over the result.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>The seed of the stream for <paramref name="purpose"/> and the ids <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>.</summary>
    public static ulong Of(ulong seed, Purpose purpose, ulong a, ulong b = 0, ulong c = 0) =>
        Mix(Mix(Mix(Mix(seed ^ Mix((ulong)purpose)) ^ a) ^ b) ^ c);

    /// <summary>
    /// A 64-bit FNV-1a hash of a public id (a region code, a dapil code, a contest id). Streams are
    /// keyed by public ids, not by array positions, so a station's numbers do not move when
    /// another station is added to the data.
    /// </summary>
    public static ulong Tag(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. The generator uses its own
/// generator, never <see cref="System.Random"/>, whose algorithm is not promised to stay the same
/// between .NET versions: the same seed must give the same forms on every machine, in every
/// version, and whatever order the forms are asked for in (each stream is seeded from what it is
/// for, see <see cref="Seeds"/>). A mutable struct: pass it by <c>ref</c>.
/// </summary>
internal struct Rng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL; // SplitMix64's increment
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        // SplitMix64 fills the state, as the authors recommend; it is never all zero.
        _s0 = Seeds.Mix(seed);
        _s1 = Seeds.Mix(seed + Golden);
        _s2 = Seeds.Mix(seed + unchecked(2 * Golden));
        _s3 = Seeds.Mix(seed + unchecked(3 * Golden));
    }

    public static Rng For(ulong seed, Purpose purpose, ulong a, ulong b = 0, ulong c = 0) => new(Seeds.Of(seed, purpose, a, b, c));

    public ulong Next()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double Uniform() => (Next() >> 11) * (1.0 / 9007199254740992.0);

    public double Between(double low, double high) => low + (high - low) * Uniform();

    /// <summary>Uniform in 0..<paramref name="n"/>-1 (Lemire's multiply-shift; the bias is below 2^-32).</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    /// <summary>
    /// Close to a standard normal: the sum of four uniforms, scaled to variance 1 (Irwin–Hall).
    /// Its tails stop at ±3.46, which suits the multipliers built from it: no station gets a
    /// freak value. Only + and × are used, so it is bit-identical on every machine.
    /// </summary>
    public double Normal() => (Uniform() + Uniform() + Uniform() + Uniform() - 2.0) * 1.7320508075688772;

    /// <summary>exp(σ·N): a multiplier with median 1.</summary>
    public double LogNormal(double sigma) => DetMath.Exp(sigma * Normal());

    /// <summary>
    /// A cheap multiplier with median 1 and a spread of about σ in its logarithm: (1 + x) / (1 − x)
    /// for x uniform in ±σ·√3/2, whose logarithm 2·atanh(x) is close to uniform with standard
    /// deviation σ. For the per-station noise of every candidate on every form, where the shape
    /// of the tails does not matter and <see cref="LogNormal"/> would cost four times as much. σ ≤ 1.
    /// </summary>
    public double Jitter(double sigma)
    {
        var x = sigma * 1.7320508075688772 * (Uniform() - 0.5);
        return (1 + x) / (1 - x);
    }
}
