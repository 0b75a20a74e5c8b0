// What a stage declares it needs: scheduling slots, memory (checked before anything starts), cluster time.
export interface Resources {
  /** CPU slots the stage occupies (default 1). */
  cpu?: number;
  /** GPUs the stage wants; 0 (default) means it never needs one. Stages with gpu > 0 still run on CPU where none is visible. */
  gpu?: number;
  /**
   * Rough peak memory, MiB, for scheduling and for the user (Slurm --mem). Checked against the machine before
   * anything starts: a node that cannot fit stops the run with exit code 2.
   */
  memoryMiB?: number;
  /** The parameters the memory estimate grows with, named in the message when it does not fit ('d', or 'samples.d' for an input node's). */
  memoryFrom?: string[];
  /** Wall-clock limit of a cluster job, minutes (Slurm --time), unless the executor's configuration sets one. */
  timeMinutes?: number;
}
