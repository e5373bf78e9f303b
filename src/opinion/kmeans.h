/*
 * kmeans.h - Pol.is's k-means on 2-D points, and the silhouette that picks k.
 *
 * Pol.is's clusters.clj in C: start from given centres or from the first k distinct points;
 * Lloyd iterations (each point to its nearest centre, the lowest index on a tie; each centre
 * to the weighted mean of its points); a centre left without points is dropped; stop after
 * max_iters + 1 assignments or when the centres, each list sorted, moved less than 0.01 each.
 * Clusters keep the order of their starting centres.
 *
 * For many points (the base clustering of a national conversation) a grid of candidate
 * centres per cell skips the distance computations that cannot change a point's cluster (see
 * kmeans.c); few points use the plain loop. Both give Lloyd's partition. Work is split into
 * parts of fixed size whose sums are added in order, so the threads never change the result.
 *
 * Thread-safe: no shared state.
 */
#ifndef SHENLIAO_OPINION_KMEANS_H
#define SHENLIAO_OPINION_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define KMEANS_MOVE_EPS 0.01 /* Pol.is's same-clustering threshold */

struct kmeans_params {
	unsigned max_iters; /* Pol.is: 100 for base clusters, 20 for groups */
	int threads;
};

/* kmeans_fit clusters the n points pts[2i], pts[2i+1] with weights w[i] (NULL: all 1) into at
 * most k clusters, starting from the n_init centres init[2c], init[2c+1] when init is given
 * (k is then ignored), else from the first k distinct points. Writes each point's cluster to
 * labels[n] (an index into centers), the clusters' centres to centers (room for 2k, or
 * 2*n_init), their point counts to sizes (room for k or n_init; may be NULL), their number to
 * *k_out and the assignments done to *iters (may be NULL). No points: *k_out = 0.
 * ERR_NOMEM on allocation failure. */
int kmeans_fit(const double *pts, const double *w, size_t n, size_t k, const double *init,
	       size_t n_init, const struct kmeans_params *p, uint32_t *labels, double *centers,
	       uint32_t *sizes, size_t *k_out, unsigned *iters) WARN_UNUSED;

/* kmeans_first_distinct writes to idx the indices of the first (up to) k points of pts that
 * differ from every earlier one (exact comparison) and returns how many it found. */
size_t kmeans_first_distinct(const double *pts, size_t n, size_t k, size_t *idx);

/* kmeans_silhouette returns the mean silhouette of the n points under labels (indices from 0),
 * with Euclidean distances between the points, unweighted; a point alone in its cluster
 * scores 0. Fewer than two clusters: -1 (Pol.is's chooser treats that k as worst). O(n^2)
 * time, O(k) memory: meant for the base centres (n <= 100). ERR_NOMEM is reported as -2. */
double kmeans_silhouette(const double *pts, size_t n, const uint32_t *labels);

#endif
