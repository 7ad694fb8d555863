// The reference experiment's published results, copied from its notebook.

/** Where the published numbers come from. */
export const PUBLISHED_SOURCE = {
  repository: 'gorjanradevski/pruning_deep_nets',
  file: 'notebooks/MNIST_pruning_results.ipynb',
  commit: '2ac2be69863a026a6f041f35899ee768bf029ee9',
  url: 'https://github.com/gorjanradevski/pruning_deep_nets/blob/2ac2be69863a026a6f041f35899ee768bf029ee9/notebooks/MNIST_pruning_results.ipynb',
};

/** The k values of the notebook's lists (`prune_k` in src/basic_utils/constants.py). */
export const PUBLISHED_SPARSITIES = [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99];

/**
 * MNIST test accuracy after one-shot pruning, per k, as the notebook's code
 * cell lists them. The keys are the notebook's variable names, which match
 * the methods (see the report: the notebook's prose swaps the two names, not
 * these lists). `_wd`: trained with L2 weight decay (0.01, says the notebook).
 */
export const PUBLISHED_ACCURACY = {
  accuracy_weight_prune: [0.9632762738853503, 0.950437898089172, 0.7360668789808917, 0.5163216560509554,
    0.29866640127388533, 0.18142914012738853, 0.15187101910828024, 0.11843152866242038,
    0.09912420382165606, 0.12022292993630573],
  accuracy_unit_prune: [0.9632762738853503, 0.39281449044585987, 0.19814888535031847, 0.10131369426751592,
    0.09096337579617834, 0.11853105095541401, 0.10041799363057324, 0.13276273885350318,
    0.11216162420382166, 0.09783041401273886],
  accuracy_weight_prune_wd: [0.9800955414012739, 0.9800955414012739, 0.9796974522292994,
    0.977906050955414, 0.973328025477707, 0.9544187898089171,
    0.81359474522293, 0.2786624203821656, 0.1044984076433121, 0.14898487261146498],
  accuracy_unit_prune_wd: [0.9800955414012739, 0.9770103503184714, 0.8801751592356688, 0.7174562101910829,
    0.43322054140127386, 0.28244426751592355, 0.1422173566878981, 0.1282842356687898,
    0.1317675159235669, 0.11713773885350319],
};
