"use strict";
// Generated display names for runs, in the "adjective-noun-N" style users know from W&B.
Object.defineProperty(exports, "__esModule", { value: true });
exports.generateRunName = generateRunName;
const ADJECTIVES = [
    'amber', 'brisk', 'calm', 'dapper', 'eager', 'fancy', 'gentle', 'hazy', 'icy', 'jolly', 'keen', 'lively',
    'misty', 'noble', 'olive', 'proud', 'quiet', 'rosy', 'sunny', 'tidy', 'vivid', 'warm', 'young', 'zesty',
];
const NOUNS = [
    'aurora', 'breeze', 'canyon', 'dawn', 'ember', 'forest', 'glade', 'harbor', 'island', 'jungle', 'lake',
    'meadow', 'night', 'ocean', 'pine', 'river', 'sunset', 'thunder', 'valley', 'wave', 'willow', 'zephyr',
];
function generateRunName(ordinal) {
    const a = ADJECTIVES[Math.floor(Math.random() * ADJECTIVES.length)];
    const n = NOUNS[Math.floor(Math.random() * NOUNS.length)];
    return `${a}-${n}-${ordinal}`;
}
//# sourceMappingURL=names.js.map