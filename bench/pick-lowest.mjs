/**
 * The choice rule of the probe rounds the bench writes itself (floor, Moleculer): the instance
 * with the lowest numeric answer, ties broken at random, as Mycel's `select:min` does.
 * @template T
 * @param {readonly T[]} instances
 * @param {readonly unknown[]} answers one per instance; non-numbers are skipped
 * @returns {T}
 */
export function pickLowest(instances, answers) {
  let best = Infinity;
  /** @type {T[]} */
  let winners = [];
  answers.forEach((answer, i) => {
    if (typeof answer !== 'number') return;
    if (answer < best) {
      best = answer;
      winners = [instances[i]];
    } else if (answer === best) winners.push(instances[i]);
  });
  const pool = winners.length > 0 ? winners : instances;
  return pool[Math.floor(Math.random() * pool.length)];
}
