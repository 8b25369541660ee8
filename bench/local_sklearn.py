"""scikit-learn peer for bench/local.bench.ts.

Usage:
    /usr/bin/python3 bench/local_sklearn.py DATA N_TRAIN N_QUERY DIMS K SEED [REPEATS] [H] [CHUNK_ELEMENTS]
        [SHIFT_ROWS SHIFT_H RIDGE_ROWS]

DATA is a little-endian float64 file written by the TypeScript side: the training inputs
(N_TRAIN x DIMS, row-major), the training targets (N_TRAIN) and the queries (N_QUERY x DIMS).
SEED is only echoed back (the data already fixes everything). MeanShift (flat kernel, bandwidth
SHIFT_H) clusters the first SHIFT_ROWS training rows; kernel ridge (rbf, gamma = 1/(2 H^2),
alpha = 1) is fitted on the first RIDGE_ROWS training rows and predicts the first RIDGE_ROWS
queries (all of them if fewer); each is left out when its row count is 0 or not given. Each
method is timed with time.perf_counter, best of REPEATS (default 3); one JSON line goes to stdout
with the timings in seconds and the checksums (sums of the predictions; for MeanShift, of the
cluster centres) so the caller can check that both sides computed the same thing.
"""

import json
import resource
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import MeanShift
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor


def best_of(repeats, fn):
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def nadaraya_watson(x, y, q, h, rows):
    """Gaussian-kernel Nadaraya-Watson, query chunk by query chunk (the scikit-learn way)."""
    gamma = 1.0 / (2.0 * h * h)
    out = np.empty(q.shape[0])
    min_mass = float("inf")
    for start in range(0, q.shape[0], rows):
        w = rbf_kernel(q[start : start + rows], x, gamma=gamma)
        mass = w.sum(1)
        min_mass = min(min_mass, float(mass.min()))
        out[start : start + rows] = (w @ y) / mass
    return out, min_mass


def thread_summary():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [
        {
            "user_api": pool.get("user_api"),
            "internal_api": pool.get("internal_api"),
            "num_threads": pool.get("num_threads"),
        }
        for pool in threadpool_info()
    ]


def main(argv):
    if len(argv) < 7:
        sys.exit(__doc__)
    path = argv[1]
    n, m, d, k, seed = (int(a) for a in argv[2:7])
    repeats = int(argv[7]) if len(argv) > 7 else 3
    h = float(argv[8]) if len(argv) > 8 else 0.2
    chunk_elements = int(argv[9]) if len(argv) > 9 else 1 << 22
    rows = max(1, chunk_elements // max(1, n))
    shift_rows = int(argv[10]) if len(argv) > 10 else 0
    shift_h = float(argv[11]) if len(argv) > 11 else 0.5
    ridge_rows = int(argv[12]) if len(argv) > 12 else 0

    data = np.fromfile(path, dtype="<f8")
    expected = n * d + n + m * d
    if data.size != expected:
        sys.exit(f"{path} holds {data.size} float64 values, expected {expected}")
    x = data[: n * d].reshape(n, d)
    y = data[n * d : n * d + n].copy()
    q = data[n * d + n :].reshape(m, d)
    labels = (y > np.median(y)).astype(np.int64)

    timings = {}
    checksums = {}

    timings["nw"], (pred, min_mass) = best_of(repeats, lambda: nadaraya_watson(x, y, q, h, rows))
    checksums["nw"] = float(pred.sum())

    for name, algorithm in (("knnRegress", "auto"), ("knnRegressBrute", "brute")):
        model = lambda: KNeighborsRegressor(n_neighbors=k, algorithm=algorithm)  # noqa: E731
        timings[name], pred = best_of(repeats, lambda: model().fit(x, y).predict(q))
        checksums[name] = float(pred.sum())

    for name, algorithm in (("knnClassify", "auto"), ("knnClassifyBrute", "brute")):
        model = lambda: KNeighborsClassifier(n_neighbors=k, algorithm=algorithm)  # noqa: E731
        timings[name], pred = best_of(repeats, lambda: model().fit(x, labels).predict(q))
        checksums[name] = float(pred.sum())

    if shift_rows > 0:
        clusters = lambda: MeanShift(bandwidth=shift_h).fit(x[:shift_rows])  # noqa: E731
        timings["meanShift"], fitted = best_of(repeats, clusters)
        checksums["meanShift"] = float(fitted.cluster_centers_.sum())
        checksums["meanShiftClusters"] = len(fitted.cluster_centers_)

    if ridge_rows > 0:
        gamma = 1.0 / (2.0 * h * h)
        ridge = lambda: KernelRidge(kernel="rbf", gamma=gamma, alpha=1.0)  # noqa: E731
        fit_predict = lambda: ridge().fit(x[:ridge_rows], y[:ridge_rows]).predict(q[:ridge_rows])  # noqa: E731
        timings["kernelRidge"], pred = best_of(repeats, fit_predict)
        checksums["kernelRidge"] = float(pred.sum())

    # Which tree 'auto' picked (it depends on the data size, dimension and k).
    auto = KNeighborsRegressor(n_neighbors=k).fit(x, y)
    result = {
        "sizes": {
            "train": n,
            "query": m,
            "dims": d,
            "k": k,
            "seed": seed,
            "h": h,
            "shiftRows": shift_rows,
            "shiftH": shift_h,
            "ridgeRows": ridge_rows,
        },
        "repeats": repeats,
        "nwChunkRows": rows,
        "nwMinWeightMass": min_mass,
        "autoAlgorithm": auto._fit_method,
        "timings": timings,
        "checksums": checksums,
        "labelsPositive": int(labels.sum()),
        "threads": thread_summary(),
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
