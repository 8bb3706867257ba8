"""Priors for initial mass, age and metallicity, and the importance sampling that keeps rare stars present.

IMFs: Kroupa (2001, MNRAS 322, 231) broken power law, Salpeter (1955, ApJ 121, 161), Chabrier (2003, PASP 115,
763) single-star log-normal with a power-law tail. Ages follow a constant or exponentially declining star-
formation rate; [M/H] a truncated normal.

A natural population almost never contains a supergiant (they live ~10 Myr of the disc's ~10 Gyr), which
would leave a training set without them. So a fraction of stars come from a proposal that is log-uniform in
mass with ages inside each star's nuclear lifetime; every star gets weight = natural density / mixture
density (mean 1), and weighted statistics are those of the natural population.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.population.config import PopulationConfig

SOLAR_Z = 0.02  # SSE's solar metallicity: [M/H] = log10(Z / 0.02)
_LOG10 = np.log(10.0)


def imf_per_log_mass(kind: str, mass):
    """dN / dlog10(m), unnormalised."""
    m = np.asarray(mass, float)
    if kind == "kroupa2001":
        per_mass = np.where(m < 0.5, (m / 0.5) ** -1.3, (m / 0.5) ** -2.3)
    elif kind == "salpeter1955":
        per_mass = m**-2.35
    elif kind == "chabrier2003":
        lognormal = np.exp(-((np.log10(m) - np.log10(0.079)) ** 2) / (2 * 0.69**2))
        at_one = np.exp(-((0 - np.log10(0.079)) ** 2) / (2 * 0.69**2))
        return np.where(m <= 1.0, lognormal, at_one * m**-1.3)
    else:
        raise ValueError(f"unknown IMF {kind}")
    return per_mass * m * _LOG10


@dataclass(frozen=True)
class Priors:
    config: PopulationConfig

    # --- initial mass: tabulated CDF in log m -------------------------------------------------------------
    def _log_mass_table(self):
        imf = self.config.imf
        log_m = np.linspace(np.log10(imf.min_mass), np.log10(imf.max_mass), 20001)
        pdf = imf_per_log_mass(imf.kind, 10**log_m)
        cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) / 2 * np.diff(log_m))])
        return log_m, pdf / cdf[-1], cdf / cdf[-1]

    def sample_log_mass(self, rng, n):
        log_m, _, cdf = self._log_mass_table()
        return np.interp(rng.random(n), cdf, log_m)

    def log_mass_density(self, log_m):
        grid, pdf, _ = self._log_mass_table()
        return np.interp(log_m, grid, pdf)

    # --- age -----------------------------------------------------------------------------------------------
    def sample_age(self, rng, n):
        sf = self.config.star_formation
        u = rng.random(n)
        if sf.kind == "constant":
            return sf.min_age_myr + u * (sf.max_age_myr - sf.min_age_myr)
        lo, hi = np.exp(sf.min_age_myr / sf.tau_myr), np.exp(sf.max_age_myr / sf.tau_myr)
        return sf.tau_myr * np.log(lo + u * (hi - lo))  # older stars formed when the rate was higher

    def age_density(self, age):
        sf = self.config.star_formation
        inside = (age >= sf.min_age_myr) & (age <= sf.max_age_myr)
        if sf.kind == "constant":
            return np.where(inside, 1.0 / (sf.max_age_myr - sf.min_age_myr), 0.0)
        norm = sf.tau_myr * (np.exp(sf.max_age_myr / sf.tau_myr) - np.exp(sf.min_age_myr / sf.tau_myr))
        return np.where(inside, np.exp(age / sf.tau_myr) / norm, 0.0)

    # --- metallicity ---------------------------------------------------------------------------------------
    def mh_range(self):
        zs = self.config.grid.metallicities
        return np.log10(zs[0] / SOLAR_Z), np.log10(zs[-1] / SOLAR_Z)

    def sample_mh(self, rng, n):
        from scipy.stats import truncnorm

        met = self.config.metallicity
        lo, hi = self.mh_range()
        if met.sigma_mh == 0:
            return np.full(n, np.clip(met.mean_mh, lo, hi))
        a, b = (lo - met.mean_mh) / met.sigma_mh, (hi - met.mean_mh) / met.sigma_mh
        return truncnorm.rvs(a, b, loc=met.mean_mh, scale=met.sigma_mh, size=n, random_state=rng)


def draw(priors: Priors, lifetime, rng, n):
    """(initial mass, [M/H], age, weight) for n stars; ``lifetime(mass, Z)`` gives remnant-formation times."""
    c = priors.config
    mh = priors.sample_mh(rng, n)
    z = SOLAR_Z * 10**mh
    log_m = priors.sample_log_mass(rng, n)
    age = priors.sample_age(rng, n)
    boosted = rng.random(n) < c.sampling.evolved_fraction
    lo_m, hi_m = np.log10(c.imf.min_mass), np.log10(c.imf.max_mass)
    log_m[boosted] = rng.uniform(lo_m, hi_m, boosted.sum())

    sf = c.star_formation
    age_cap = np.clip(lifetime(10**log_m, z), sf.min_age_myr + 1e-3, sf.max_age_myr)
    age[boosted] = rng.uniform(sf.min_age_myr, age_cap[boosted])

    natural = priors.log_mass_density(log_m) * priors.age_density(age)
    proposal_age = np.where(age <= age_cap, 1.0 / (age_cap - sf.min_age_myr), 0.0)
    f = c.sampling.evolved_fraction
    mixture = (1 - f) * natural + f * proposal_age / (hi_m - lo_m)
    weight = natural / mixture
    return 10**log_m, mh, age, weight / weight.mean()
