/*
 * pca.h - the two principal components of a conversation's votes, and the projection.
 *
 * The matrix Pol.is analyses is the vote matrix with moderated-out columns set to zero,
 * missing votes imputed by the column mean, then centred by the column means. Imputed cells
 * are then exactly zero, so the centred matrix X has the sparsity of the votes:
 * X[i][j] = vote - mean_j where i voted on j, 0 elsewhere (and 0 in moderated columns). We
 * never form it: X^T X V is computed row by row from the sparse votes.
 *
 * The components come from power iteration on blocks of PCA_BLOCK vectors, started from a
 * previous result when there is one, so that recomputing after a few new votes converges in a
 * few passes over the votes. The iteration is a block Krylov method (block Lanczos with full
 * reorthogonalization and thick restarts): each pass adds X^T X times the newest block to the
 * basis, and Rayleigh-Ritz on the whole basis gives the components. Pol.is runs 100 plain power
 * iterations (or numpy's exact SVD in the reference); we stop when the relative residual ||X^T X c
 * - l c|| / l_0 of both components is below a tolerance. The engine's default, 1e-6, moves the
 * projections of the real Pol.is conversations by about 1e-6 from the exact SVD and changes no
 * group; cold starts take about 8 passes, warm restarts after 1% new votes about 4.
 *
 * Thread-safe: no shared state; each call may use `threads` threads.
 */
#ifndef SHENLIAO_OPINION_PCA_H
#define SHENLIAO_OPINION_PCA_H

#include <stddef.h>

#include "base/err.h"
#include "opinion/votes.h"

enum { PCA_BLOCK = 4 };

struct pca {
	size_t n_cols;
	double *center;	  /* [n_cols]: column means (0 for moderated-out columns) */
	double *comp[2];  /* [n_cols] each: unit components, comp[1] orthogonal to comp[0] */
	double eigval[2]; /* eigenvalues of X^T X for comp[0], comp[1] (descending) */
	unsigned passes;  /* multiplications by X^T X done */
	double residual;  /* max ||X^T X c - l c|| / l_0 over both components at the end */
	int converged;	  /* 1 when residual <= tol */
};

struct pca_params {
	unsigned max_passes; /* upper bound on passes over the votes */
	double tol;	     /* relative residual to stop at */
	int threads;
};

/* pca_fit computes the components of m into *out (which the caller releases with pca_fini,
 * also on error). warm0, warm1 ([m->n_cols] each, or NULL) start the iteration; the result
 * then has the sign of the warm vector it continues, otherwise the sign that makes the
 * largest-magnitude entry of each component positive (the first of entries equal
 * within a relative 1e-9). With fewer than two columns the
 * missing component is zero. ERR_NOMEM on allocation failure. */
int pca_fit(const struct vote_matrix *m, const double *warm0, const double *warm1,
	    const struct pca_params *p, struct pca *out) WARN_UNUSED;

/* pca_fini releases what pca_fit allocated; safe on a zeroed struct. */
void pca_fini(struct pca *p);

/* pca_project writes each row's sparsity-aware projection to xy[2*i], xy[2*i+1]:
 * sqrt(n_cols / n_voted_i) * sum_j X[i][j] comp_k[j], where n_voted_i counts the row's votes
 * on statements that are not moderated out plus every moderated-out column (Pol.is zeroes
 * those columns, which then count as voted), at least 1. xy has room for 2 * m->n_rows.
 * ERR_NOMEM (xy unchanged) or ERR_OK. */
int pca_project(const struct vote_matrix *m, const struct pca *p, int threads,
		double *xy) WARN_UNUSED;

/* pca_eigen_sym diagonalizes the symmetric n x n matrix a (row-major, destroyed) by cyclic
 * Jacobi: eigenvalues to w (descending), eigenvectors to the columns of v (n x n). */
void pca_eigen_sym(double *a, size_t n, double *w, double *v);

#endif
