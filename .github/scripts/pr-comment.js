// One pull-request comment per marker, edited on each push: the markdown in `file`, cut to fit
// GitHub's 65,536-character limit (the whole text stays in the job summary). Called from
// actions/github-script: require('./.github/scripts/pr-comment.js')({github, context, marker, file}).
const fs = require('fs');

module.exports = async ({ github, context, marker, file, empty }) => {
  const limit = 65000;
  let text = fs.readFileSync(file, 'utf8');
  if (!text.trim()) text = empty;
  if (text.length > limit) {
    text = text.slice(0, limit) + '\n\n(cut here: the whole text is in the job summary)';
  }
  const body = `${marker}\n${text}`;
  const { owner, repo } = context.repo;
  const issue_number = context.payload.pull_request.number;
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner, repo, issue_number, per_page: 100,
  });
  const previous = comments.find(
    (c) => c.user && c.user.type === 'Bot' && c.body && c.body.startsWith(marker),
  );
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
  } else {
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
  }
};
