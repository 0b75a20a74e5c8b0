// Every figure node the report shows, in reading order: its node name, the report's input name for it
// (underscores: input names are identifiers), a title and a caption that says what to look for.

export interface FigureEntry {
  node: string;
  input: string;
  title: string;
  caption: string;
}

export const FIGURES = [
  {
    node: 'figure2',
    input: 'figure2',
    title: 'Figure 2 — theory vs Monte-Carlo spectra of s·J',
    caption:
      'Histograms: eigenvalues of sym(s·J) = −s(C + sI)⁻¹ over draws of F at finite d; lines: the random-matrix density (d → ∞) at the same s. Bottom: eigenvalues detached from the −1 spike by more than Δ as s decreases (the dimension drop).',
  },
  {
    node: 'figure3',
    input: 'figure3',
    title: 'Figure 3 — ordered singular values of the trained model along generation',
    caption: 'One line per rank of s·J; gaps between groups of lines are the spectral gaps. Left: σ₁² = 1, σ₂² = 0.01, f = 0.75; centre: the swap; right: a continuous variance profile.',
  },
  {
    node: 'figure4',
    input: 'figure4',
    title: 'Figure 4 — trained model vs theory at t ≈ 0.45, 0.3, 0.11',
    caption: 'Sorted eigenvalues of sym(s·J) of the trained score (mean and 10–90% band over evaluation points) against the theoretical quantile function at the same s.',
  },
  {
    node: 'figure5',
    input: 'figure5',
    title: 'Figure 5 — spectra along generation for image data: trained, empirical and Gaussian scores',
    caption:
      'Ordered singular values of s·J along s, a subset of ranks, one row per dataset (MNIST, Fashion-MNIST, CIFAR-10 when supplied): the trained network, the exact empirical score of the whole training set (at small s every value at 1: memorisation) and the Gaussian model of the data (s/(s + λᵢ) over the covariance eigenvalues).',
  },
  {
    node: 'image-dimension',
    input: 'image_dimension',
    title: 'Dimension along generation for image data: trained, empirical and Gaussian scores',
    caption:
      'Per dataset, the dimension each score reads from s·J against t: by gap detection (solid) and as the eigenvalues more than Δ above −1 (dashed), with the intrinsic dimension of the raw images (Levina–Bickel MLE, TwoNN) as reference lines. The empirical score memorises below its collapse time (dimension 0); the Gaussian model counts every direction of non-zero variance.',
  },
  {
    node: 'gap-widths',
    input: 'gap_widths',
    title: 'Gap widths vs s',
    caption: 'Theory widths of the manifold and intermediate gaps against s, with the gaps detected in measured spectra; a gap is visible while wider than the resolution Δ.',
  },
  {
    node: 'phase-diagram',
    input: 'phase_diagram',
    title: 'Phase diagram over (s, Δ)',
    caption: 'Phase seen at noise variance s with resolution Δ, from the bulk edges of the data covariance: trivial (no gap), coverage (an intermediate gap), consolidation (only the manifold gap).',
  },
  {
    node: 'dimension',
    input: 'dimension',
    title: 'Estimated dimension along generation',
    caption: 'Eigenvalues detached from −1 counted by gap detection at each time, coloured by phase, with the theory dimension drop.',
  },
  {
    node: 'methods',
    input: 'methods',
    title: 'Exact Jacobian vs Algorithm 1 vs Algorithm 2',
    caption: 'Relative Frobenius error of the finite-difference Jacobians against the reference along s (the bias of a large step h), and the spectra each method gives.',
  },
  {
    node: 'haar-stack',
    input: 'haar_stack',
    title: "The authors' Haar-stack estimator vs the exact Jacobian",
    caption:
      "Normalised singular values at clean training points of fig3-left's trained score, on the authors' grid t = linspace(0.8, 1e-5, 100): the stack [s(x + σqᵢ)/σ] does not subtract s(x), so its largest value is a rank-one term, dropped before normalising; where that term is not the largest, the drop removes a direction of J instead.",
  },
  {
    node: 'loss',
    input: 'loss',
    title: 'Training loss',
    caption: 'Denoising score-matching loss per step (thinned) and smoothed, for each trained model.',
  },
  {
    node: 'collapse-plot',
    input: 'collapse_plot',
    title: 'Collapse of the empirical score vs n',
    caption: 'Fraction of reverse trajectories of the exact empirical score that end on a training point, and the measured collapse time against t_C of George, Veiga & Macris converted to the VE clock (a d → ∞ result: at small d capture is a smooth crossover, so compare the trend with n).',
  },
] as const satisfies readonly FigureEntry[];
