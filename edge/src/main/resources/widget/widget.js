/*
 * comments widget (docs/widget.md): live comments in any page, inside a shadow root. Plain
 * JavaScript, no eval, no inline styles or scripts, no HTML from data: every text is a text node.
 */
(function () {
  'use strict';
  if (window.CommentsWidget) return;

  var script = document.currentScript;
  var SCRIPT_ORIGIN = script && script.src ? new URL(script.src).origin : location.origin;
  var TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
  var THREAD_ID = /^[A-Za-z0-9._~:-]{1,200}$/;
  var ATTRIBUTES = ['tenant', 'thread', 'sort', 'language', 'theme', 'server'];
  var SORTS = ['newest', 'oldest', 'top'];
  var THEMES = ['light', 'dark', 'auto'];
  var MAX_TEXT = 10000;
  var MAX_NAME = 64;
  var MAX_IMAGES = 4; // the API's limit of media per comment
  var LINK = /\bhttps?:\/\/[^\s<>"'`]+/g;

  // ---- languages ----
  var STRINGS = {
    en: {
      title: 'Comments', loading: 'Loading comments…', empty: 'No comments yet. Be the first.',
      name: 'Your display name', join: 'Join', write: 'Write a comment', post: 'Post',
      reply: 'Reply', edit: 'Edit', save: 'Save', cancel: 'Cancel', del: 'Delete',
      confirmDelete: 'Delete this comment?', flag: 'Flag', reason: 'Why should a moderator look?',
      send: 'Send', flagged: 'Thank you. A moderator will look at it.', block: 'Block',
      unblock: 'Unblock', blockedHidden: 'Hidden: you blocked this person.', up: 'Vote up',
      down: 'Vote down', deleted: 'This comment was deleted.', removed: 'A moderator removed this comment.', edited: 'edited',
      more: 'Load more comments', moreReplies: 'Show more replies',
      newOne: '{n} new comment', newMany: '{n} new comments', sort: 'Sort',
      newest: 'Newest', oldest: 'Oldest', top: 'Top', you: 'you', signedAs: 'Commenting as {name}',
      chars: '{n} / {max}', tooLong: 'Too long by {n} characters.',
      locked: 'This thread is locked: nothing can be added.', live: 'Live',
      readers: '{n} reading', offline: 'Cannot reach the comments server. Retrying…',
      reconnecting: 'Connection lost. Reconnecting…', retrying: 'The server is busy. Retrying…',
      needName: 'Choose a display name first.', posted: 'Your comment is posted.',
      held: 'Thank you: your comment will appear once a moderator approves it.',
      originRefused:
        'This site may not show these comments: the comments operator must allow {origin}.',
      noTenant: 'Unknown comments tenant "{tenant}". Check data-comments-tenant.',
      rate: 'Too many actions at once. Try again in {s} seconds.',
      sessionEnded: 'Your session ended. Choose a display name again.',
      editWindow: 'Comments can be edited only in their first 15 minutes.',
      failed: 'That did not work: {message}', noBlocks: 'Blocking is not available here yet.',
      tryAgain: 'Try again.',
      image: 'Image {i} of {n} in the comment by {name}',
      attach: 'Images (up to {n})', tooManyImages: 'At most {n} images per comment.',
    },
    pt: {
      title: 'Comentários', loading: 'Carregando comentários…',
      empty: 'Nenhum comentário ainda. Seja o primeiro.', name: 'Seu nome de exibição',
      join: 'Entrar', write: 'Escreva um comentário', post: 'Publicar', reply: 'Responder',
      edit: 'Editar', save: 'Salvar', cancel: 'Cancelar', del: 'Excluir',
      confirmDelete: 'Excluir este comentário?', flag: 'Denunciar',
      reason: 'Por que um moderador deve ver?', send: 'Enviar',
      flagged: 'Obrigado. Um moderador vai analisar.', block: 'Bloquear', unblock: 'Desbloquear',
      blockedHidden: 'Oculto: você bloqueou esta pessoa.', up: 'Votar a favor',
      down: 'Votar contra', deleted: 'Este comentário foi excluído.', removed: 'Um moderador removeu este comentário.', edited: 'editado',
      more: 'Carregar mais comentários', moreReplies: 'Mostrar mais respostas',
      newOne: '{n} comentário novo', newMany: '{n} comentários novos', sort: 'Ordenar',
      newest: 'Mais recentes', oldest: 'Mais antigos', top: 'Melhores', you: 'você',
      signedAs: 'Comentando como {name}', chars: '{n} / {max}',
      tooLong: 'Longo demais em {n} caracteres.',
      locked: 'Esta conversa está trancada: nada pode ser adicionado.', live: 'Ao vivo',
      readers: '{n} lendo', offline: 'Sem conexão com o servidor de comentários. Tentando de novo…',
      reconnecting: 'Conexão perdida. Reconectando…',
      retrying: 'O servidor está ocupado. Tentando de novo…',
      needName: 'Escolha primeiro um nome de exibição.', posted: 'Seu comentário foi publicado.',
      held: 'Obrigado: seu comentário aparecerá quando um moderador o aprovar.',
      originRefused:
        'Este site não pode mostrar estes comentários: o operador precisa permitir {origin}.',
      noTenant: 'Inquilino de comentários desconhecido "{tenant}". Verifique data-comments-tenant.',
      rate: 'Ações demais de uma vez. Tente de novo em {s} segundos.',
      sessionEnded: 'Sua sessão terminou. Escolha um nome de exibição de novo.',
      editWindow: 'Comentários só podem ser editados nos primeiros 15 minutos.',
      failed: 'Não funcionou: {message}', noBlocks: 'Bloquear ainda não está disponível aqui.',
      tryAgain: 'Tente de novo.',
      image: 'Imagem {i} de {n} no comentário de {name}',
      attach: 'Imagens (até {n})', tooManyImages: 'No máximo {n} imagens por comentário.',
    },
    fr: {
      title: 'Commentaires', loading: 'Chargement des commentaires…',
      empty: 'Aucun commentaire pour l’instant. Soyez le premier.', name: 'Votre nom affiché',
      join: 'Rejoindre', write: 'Écrire un commentaire', post: 'Publier', reply: 'Répondre',
      edit: 'Modifier', save: 'Enregistrer', cancel: 'Annuler', del: 'Supprimer',
      confirmDelete: 'Supprimer ce commentaire ?', flag: 'Signaler',
      reason: 'Pourquoi un modérateur devrait-il regarder ?', send: 'Envoyer',
      flagged: 'Merci. Un modérateur va regarder.', block: 'Bloquer', unblock: 'Débloquer',
      blockedHidden: 'Masqué : vous avez bloqué cette personne.', up: 'Voter pour',
      down: 'Voter contre', deleted: 'Ce commentaire a été supprimé.', removed: 'Un modérateur a retiré ce commentaire.', edited: 'modifié',
      more: 'Plus de commentaires', moreReplies: 'Plus de réponses',
      newOne: '{n} nouveau commentaire', newMany: '{n} nouveaux commentaires', sort: 'Trier',
      newest: 'Plus récents', oldest: 'Plus anciens', top: 'Meilleurs', you: 'vous',
      signedAs: 'Vous commentez en tant que {name}', chars: '{n} / {max}',
      tooLong: 'Trop long de {n} caractères.',
      locked: 'Cette discussion est verrouillée : rien ne peut être ajouté.', live: 'En direct',
      readers: '{n} lecteurs', offline: 'Serveur de commentaires injoignable. Nouvel essai…',
      reconnecting: 'Connexion perdue. Reconnexion…',
      retrying: 'Le serveur est occupé. Nouvel essai…',
      needName: 'Choisissez d’abord un nom affiché.', posted: 'Votre commentaire est publié.',
      held: 'Merci : votre commentaire apparaîtra dès qu’un modérateur l’aura approuvé.',
      originRefused:
        'Ce site ne peut pas afficher ces commentaires : l’opérateur doit autoriser {origin}.',
      noTenant: 'Locataire de commentaires inconnu « {tenant} ». Vérifiez data-comments-tenant.',
      rate: 'Trop d’actions à la fois. Réessayez dans {s} secondes.',
      sessionEnded: 'Votre session a pris fin. Choisissez à nouveau un nom affiché.',
      editWindow: 'Un commentaire ne peut être modifié que pendant ses 15 premières minutes.',
      failed: 'Cela n’a pas marché : {message}',
      noBlocks: 'Le blocage n’est pas encore disponible ici.', tryAgain: 'Réessayez.',
      image: 'Image {i} sur {n} du commentaire de {name}',
      attach: 'Images ({n} au plus)', tooManyImages: 'Au plus {n} images par commentaire.',
    },
    ja: {
      title: 'コメント', loading: 'コメントを読み込み中…',
      empty: 'まだコメントはありません。最初のコメントを書きましょう。', name: '表示名',
      join: '参加', write: 'コメントを書く', post: '投稿', reply: '返信', edit: '編集',
      save: '保存', cancel: 'キャンセル', del: '削除', confirmDelete: 'このコメントを削除しますか？',
      flag: '報告', reason: 'モデレーターに確認してほしい理由', send: '送信',
      flagged: 'ありがとうございます。モデレーターが確認します。', block: 'ブロック',
      unblock: 'ブロック解除', blockedHidden: 'ブロックした人のコメントは非表示です。',
      up: '高評価', down: '低評価', deleted: 'このコメントは削除されました。', removed: 'このコメントはモデレーターが削除しました。', edited: '編集済み',
      more: 'さらにコメントを読み込む', moreReplies: 'さらに返信を表示',
      newOne: '新しいコメント {n} 件', newMany: '新しいコメント {n} 件', sort: '並べ替え',
      newest: '新しい順', oldest: '古い順', top: '評価順', you: 'あなた',
      signedAs: '{name} としてコメント中', chars: '{n} / {max}',
      tooLong: '{n} 文字長すぎます。', locked: 'このスレッドはロックされています。',
      live: 'ライブ', readers: '{n} 人が閲覧中',
      offline: 'コメントサーバーに接続できません。再試行中…',
      reconnecting: '接続が切れました。再接続中…', retrying: 'サーバーが混雑しています。再試行中…',
      needName: '先に表示名を決めてください。', posted: 'コメントを投稿しました。',
      held: 'ありがとうございます。コメントはモデレーターの承認後に表示されます。',
      originRefused:
        'このサイトではこのコメントを表示できません。運営者が {origin} を許可する必要があります。',
      noTenant: '不明なテナント「{tenant}」です。data-comments-tenant を確認してください。',
      rate: '操作が多すぎます。{s} 秒後にもう一度お試しください。',
      sessionEnded: 'セッションが終了しました。もう一度表示名を決めてください。',
      editWindow: 'コメントを編集できるのは投稿後 15 分間だけです。',
      failed: '失敗しました: {message}', noBlocks: 'ここではまだブロックを使えません。',
      tryAgain: 'もう一度お試しください。',
      image: '{name} さんのコメントの画像 {i}/{n}',
      attach: '画像（{n} 枚まで）', tooManyImages: '画像は 1 件のコメントに {n} 枚までです。',
    },
    ko: {
      title: '댓글', loading: '댓글을 불러오는 중…', empty: '아직 댓글이 없습니다. 첫 댓글을 남겨 보세요.',
      name: '표시 이름', join: '참여', write: '댓글 쓰기', post: '게시', reply: '답글',
      edit: '수정', save: '저장', cancel: '취소', del: '삭제', confirmDelete: '이 댓글을 삭제할까요?',
      flag: '신고', reason: '관리자가 확인해야 하는 이유', send: '보내기',
      flagged: '감사합니다. 관리자가 확인합니다.', block: '차단', unblock: '차단 해제',
      blockedHidden: '차단한 사람의 댓글이라 숨겼습니다.', up: '추천', down: '비추천',
      deleted: '삭제된 댓글입니다.', removed: '관리자가 삭제한 댓글입니다.', edited: '수정됨', more: '댓글 더 보기',
      moreReplies: '답글 더 보기', newOne: '새 댓글 {n}개', newMany: '새 댓글 {n}개', sort: '정렬',
      newest: '최신순', oldest: '오래된순', top: '인기순', you: '나',
      signedAs: '{name}(으)로 댓글 작성 중', chars: '{n} / {max}', tooLong: '{n}자 초과했습니다.',
      locked: '이 스레드는 잠겼습니다.', live: '실시간', readers: '{n}명 읽는 중',
      offline: '댓글 서버에 연결할 수 없습니다. 다시 시도하는 중…',
      reconnecting: '연결이 끊겼습니다. 다시 연결하는 중…',
      retrying: '서버가 바쁩니다. 다시 시도하는 중…', needName: '먼저 표시 이름을 정하세요.',
      posted: '댓글을 게시했습니다.',
      held: '감사합니다. 댓글은 운영자가 승인하면 표시됩니다.',
      originRefused: '이 사이트는 이 댓글을 표시할 수 없습니다. 운영자가 {origin}을 허용해야 합니다.',
      noTenant: '알 수 없는 테넌트 "{tenant}". data-comments-tenant를 확인하세요.',
      rate: '요청이 너무 많습니다. {s}초 후에 다시 시도하세요.',
      sessionEnded: '세션이 끝났습니다. 표시 이름을 다시 정하세요.',
      editWindow: '댓글은 게시 후 15분 동안만 수정할 수 있습니다.',
      failed: '실패했습니다: {message}', noBlocks: '여기서는 아직 차단을 사용할 수 없습니다.',
      tryAgain: '다시 시도하세요.',
      image: '{name} 님 댓글의 이미지 {i}/{n}',
      attach: '이미지 (최대 {n}개)', tooManyImages: '댓글 하나에 이미지는 최대 {n}개입니다.',
    },
  };

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }

  // ---- styles: constructed, so a strict style-src needs no 'unsafe-inline' ----
  var CSS = [
    ':host{display:block}',
    '.root{--bg:#fff;--fg:#1b1b1b;--muted:#545454;--line:#d0d0d0;--accent:#0b57b0;',
    '--on-accent:#fff;--soft:#eef3fb;--bad:#a50e0e;--focus:#0b57b0;',
    'font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;',
    'background:var(--bg);color:var(--fg);padding:12px;border-radius:8px}',
    '.root.dark{--bg:#16181c;--fg:#ececec;--muted:#b4b4b4;--line:#3c4048;--accent:#8ab4f8;',
    '--on-accent:#10131a;--soft:#222a36;--bad:#ff9c9c;--focus:#8ab4f8;color-scheme:dark}',
    '@media (prefers-color-scheme:dark){.root.auto{--bg:#16181c;--fg:#ececec;--muted:#b4b4b4;',
    '--line:#3c4048;--accent:#8ab4f8;--on-accent:#10131a;--soft:#222a36;--bad:#ff9c9c;--focus:#8ab4f8;color-scheme:dark}}',
    'h2{font-size:1.15em;margin:0 0 8px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}',
    '.meta,.muted{color:var(--muted);font-size:.9em;font-weight:normal}',
    'button,select,input,textarea{font:inherit;color:inherit}',
    'button{cursor:pointer;background:none;border:1px solid transparent;border-radius:6px;',
    'padding:2px 8px;color:var(--accent)}',
    'button:hover{background:var(--soft)}',
    'button.primary{background:var(--accent);color:var(--on-accent);border-color:var(--accent);padding:6px 14px}',
    'button.pill{display:block;margin:8px auto;background:var(--accent);color:var(--on-accent);',
    'border-radius:16px;padding:6px 16px}',
    'button[disabled]{opacity:.6;cursor:not-allowed}',
    'button[aria-pressed=true]{background:var(--soft);border-color:var(--accent);font-weight:600}',
    ':focus-visible{outline:3px solid var(--focus);outline-offset:2px}',
    'input,textarea,select{background:var(--bg);border:1px solid var(--muted);border-radius:6px;padding:6px}',
    'textarea{width:100%;box-sizing:border-box;min-height:4.5em;resize:vertical}',
    'label{display:block;font-weight:600;margin:4px 0}',
    '.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:6px 0}',
    '.count.over{color:var(--bad);font-weight:600}',
    '.error{color:var(--bad);margin:6px 0}',
    '.notice{border:1px solid var(--line);border-radius:6px;padding:8px;margin:8px 0}',
    'ul{list-style:none;margin:0;padding:0}',
    'ul[role=group]{margin-left:14px;padding-left:10px;border-left:2px solid var(--line)}',
    'li{margin:10px 0}',
    '.author{font-weight:600}',
    '.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:2px 0}',
    '.text a{color:var(--accent)}',
    '.media{display:flex;gap:6px;flex-wrap:wrap;margin:4px 0}',
    '.media img{max-width:min(100%,320px);height:auto;border-radius:4px;border:1px solid var(--line)}',
    '.actions{display:flex;gap:2px;flex-wrap:wrap;font-size:.9em}',
    '[hidden]{display:none!important}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
  ].join('');

  function styleRoot(root) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Older browsers: a <style> in the shadow root (the host's style-src must allow it).
      var style = document.createElement('style');
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  // ---- small DOM helpers: properties and text nodes only, never HTML ----
  function h(tag, props, children) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') el.textContent = value;
        else if (key === 'class') el.className = value;
        else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
        else if (key === 'hidden' || key === 'disabled') el[key] = !!value;
        else el.setAttribute(key, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    });
    return el;
  }

  /** The comment's text as text nodes, with http(s) links made into safe anchors. */
  function richText(text) {
    var nodes = [];
    var last = 0;
    text.replace(LINK, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]}'"]+$/, '');
      if (offset > last) nodes.push(document.createTextNode(text.slice(last, offset)));
      nodes.push(h('a', { href: url, rel: 'nofollow ugc noopener noreferrer', target: '_blank', text: url }));
      last = offset + url.length;
      return match;
    });
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function codePoints(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff || i + 1 === text.length) n++;
      else {
        var d = text.charCodeAt(i + 1);
        n++;
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    return n;
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join('');
  }

  // ---- the thread id of a page without data-comments-thread: SHA-256 of its canonical URL ----
  var K = [];
  (function () {
    var n = 2;
    var found = 0;
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
      if (prime) {
        K.push((Math.pow(n, 1 / 3) % 1) * 4294967296 | 0);
        found++;
      }
      n++;
    }
  })();

  function sha256Hex(text) {
    var bytes = new TextEncoder().encode(text);
    var length = bytes.length;
    var words = new Array(((length + 9 + 63) >> 6) << 4).fill(0);
    for (var i = 0; i < length; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[words.length - 1] = length * 8;
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    function rotr(x, n) {
      return (x >>> n) | (x << (32 - n));
    }
    for (var block = 0; block < words.length; block += 16) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) w[t] = words[block + t] | 0;
        else {
          var s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
          var s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], hh = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H = [a + H[0], b + H[1], c + H[2], d + H[3], e + H[4], f + H[5], g + H[6], hh + H[7]].map(
        function (x) {
          return x | 0;
        }
      );
    }
    return H.map(function (x) {
      return ('00000000' + (x >>> 0).toString(16)).slice(-8);
    }).join('');
  }

  /** The page's canonical URL: link rel=canonical, else the location without query and hash. */
  function canonicalUrl() {
    var link = document.querySelector('link[rel~="canonical"][href]');
    if (link && /^https?:/.test(link.href)) return link.href.split('#')[0];
    return location.origin + location.pathname;
  }

  /**
   * The page a post names for the moderators: the canonical URL and the document's title, made to
   * fit what the server takes (a title cut to 300 characters, control characters as spaces); null
   * when the URL is too long, so that a post never fails for its page.
   */
  function hostPage(url) {
    if (!/^https?:\/\/\S+$/i.test(url) || url.length > 2048) return null;
    var title = Array.from(String(document.title || '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim())
      .slice(0, 300).join('').trim();
    return title ? { url: url, title: title } : { url: url };
  }

  function threadOfUrl(url) {
    return 'url-' + sha256Hex(url).slice(0, 32);
  }

  // ---- sessions, kept across reloads (in memory where storage is refused) ----
  var memory = {};
  function storageKey(server, tenant) {
    return 'comments-session:' + server + ':' + tenant;
  }
  function loadSession(server, tenant) {
    var raw = null;
    try {
      raw = localStorage.getItem(storageKey(server, tenant));
    } catch (e) {
      raw = memory[storageKey(server, tenant)] || null;
    }
    try {
      var session = raw && JSON.parse(raw);
      if (session && session.token && Date.parse(session.expiresAt) > Date.now()) return session;
    } catch (e) {
      // A damaged entry is as good as none.
    }
    return null;
  }
  function storeSession(server, tenant, session) {
    var key = storageKey(server, tenant);
    var raw = session ? JSON.stringify(session) : null;
    try {
      if (raw) localStorage.setItem(key, raw);
      else localStorage.removeItem(key);
    } catch (e) {
      memory[key] = raw;
    }
  }

  // ---- the writer's last consistency token of each thread, kept for the tab's life (a reload
  // still reads its own write through any node); in memory where storage is refused ----
  function tokenKey(server, tenant, thread) {
    return 'comments-consistency:' + server + ':' + tenant + ':' + thread;
  }
  function loadToken(key) {
    try {
      return sessionStorage.getItem(key);
    } catch (e) {
      return memory[key] || null;
    }
  }
  function storeToken(key, token) {
    try {
      if (token) sessionStorage.setItem(key, token);
      else sessionStorage.removeItem(key);
    } catch (e) {
      memory[key] = token;
    }
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  // ---- one widget ----
  function mount(host) {
    if (host.shadowRoot || host.__comments) return;
    host.__comments = true;
    var shadow = host.attachShadow({ mode: 'open' });
    styleRoot(shadow);
    var ds = host.dataset;
    var pageLang = (ds.commentsLanguage || host.closest('[lang]') && host.closest('[lang]').lang ||
      document.documentElement.lang || navigator.language || 'en').toLowerCase().split('-')[0];
    var lang = STRINGS[pageLang] ? pageLang : 'en';
    var T = STRINGS[lang];
    var theme = ds.commentsTheme || 'auto';
    var root = h('section', { class: 'root ' + theme, lang: lang, 'aria-label': T.title });
    shadow.appendChild(root);

    var problem = check(host);
    if (problem) {
      root.appendChild(h('p', { class: 'error', role: 'alert', text: 'Comments: ' + problem }));
      return;
    }

    var server = (ds.commentsServer || SCRIPT_ORIGIN).replace(/\/+$/, '');
    var tenant = ds.commentsTenant;
    var pageUrl = canonicalUrl();
    var thread = ds.commentsThread || threadOfUrl(pageUrl);
    var tokenStore = tokenKey(server, tenant, thread);
    var w = {
      sort: ds.commentsSort || 'newest',
      session: loadSession(server, tenant),
      blocked: {},
      blocksKnown: false,
      comments: {},
      pending: [],
      position: -1,
      consistency: loadToken(tokenStore),
      rendered: false,
      nextCursor: null,
      locked: false,
      live: null,
    };
    var times = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
    var plural = new Intl.PluralRules(lang);

    // ---- the frame ----
    var status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
    var readers = h('span', { class: 'meta' });
    var liveMark = h('span', { class: 'meta', hidden: true, text: '● ' + T.live });
    var sortSelect = h(
      'select',
      { id: 'sort', onchange: function () { w.sort = sortSelect.value; reload(); } },
      SORTS.map(function (s) {
        return h('option', { value: s, text: T[s], selected: s === w.sort ? 'selected' : null });
      })
    );
    var lockedNote = h('p', { class: 'notice', hidden: true, text: T.locked });
    var errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
    var newButton = h('button', { class: 'pill', type: 'button', hidden: true, onclick: showPending });
    var list = h('ul', { role: 'tree', 'aria-label': T.title });
    var moreButton = h('button', { type: 'button', hidden: true, onclick: loadMore, text: T.more });
    var emptyNote = h('p', { class: 'muted', hidden: true, text: T.empty });
    var composer = h('div');

    root.appendChild(h('h2', null, [T.title, liveMark, readers]));
    root.appendChild(
      h('div', { class: 'row' }, [h('label', { for: 'sort', text: T.sort }), sortSelect])
    );
    root.appendChild(composer);
    root.appendChild(lockedNote);
    root.appendChild(errorBox);
    root.appendChild(status);
    root.appendChild(newButton);
    root.appendChild(emptyNote);
    root.appendChild(list);
    root.appendChild(moreButton);

    function say(text) {
      status.textContent = text || '';
    }
    function fail(text) {
      errorBox.textContent = text || '';
      errorBox.hidden = !text;
    }

    // ---- HTTP ----
    /** A call to the API; {@code options.contentType} sends {@code body} as it is (a file), else JSON. */
    function request(method, path, body, options) {
      options = options || {};
      var raw = options.contentType !== undefined;
      var headers = {};
      if (w.session && !options.anonymous) headers.Authorization = 'Bearer ' + w.session.token;
      if (body !== undefined) headers['Content-Type'] = raw ? options.contentType : 'application/json';
      if (options.key) headers['Idempotency-Key'] = options.key;
      if (options.consistency) headers['X-Consistency-Token'] = options.consistency;
      return fetch(server + '/api/v1/tenants/' + tenant + path, {
        method: method,
        headers: headers,
        body: body === undefined || raw ? body : JSON.stringify(body),
        mode: 'cors',
        credentials: 'omit',
      }).then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch (e) {
            json = null;
          }
          return { status: response.status, json: json, headers: response.headers };
        });
      });
    }

    /** A write: one Idempotency-Key for all its tries; a 503 or an unreachable server is retried. */
    function write(method, path, body) {
      var key = randomKey();
      var attempt = 0;
      function go() {
        attempt += 1;
        return request(method, path, body, { key: key }).then(
          function (reply) {
            var code = reply.json && reply.json.error && reply.json.error.code;
            var retriable = reply.status === 503 || code === 'idempotency_key_in_flight';
            if (retriable && attempt < 6) {
              say(T.retrying);
              var after = Number(reply.headers.get('Retry-After')) || 1;
              return sleep(Math.min(10, after) * 1000 * attempt).then(go);
            }
            if (reply.status >= 200 && reply.status < 300) {
              say('');
              if (reply.json && reply.json.token) {
                w.consistency = reply.json.token;
                storeToken(tokenStore, w.consistency);
              }
              return reply;
            }
            throw explain(reply);
          },
          function () {
            if (attempt < 4) {
              say(T.offline);
              return sleep(1000 * attempt).then(go);
            }
            throw new Error(T.offline);
          }
        );
      }
      fail('');
      return go();
    }

    function explain(reply) {
      var error = (reply.json && reply.json.error) || {};
      var text;
      switch (error.code) {
        case 'rate_limited':
        case 'duplicate_text':
        case 'vote_stuffing':
          text = error.code === 'rate_limited'
            ? format(T.rate, { s: reply.headers.get('Retry-After') || 60 })
            : error.message;
          break;
        case 'thread_locked':
          setLocked(true);
          text = T.locked;
          break;
        case 'edit_window_closed':
          text = T.editWindow;
          break;
        case 'session_required':
        case 'session_invalid':
        case 'session_expired':
        case 'session_revoked':
        case 'session_wrong_tenant':
          forgetSession();
          text = T.sessionEnded;
          break;
        case 'origin_not_allowed':
          text = format(T.originRefused, { origin: location.origin });
          break;
        case 'tenant_not_found':
          text = format(T.noTenant, { tenant: tenant });
          break;
        default:
          text = format(T.failed, { message: error.message || 'HTTP ' + reply.status }) + ' ' + T.tryAgain;
      }
      var e = new Error(text);
      e.code = error.code;
      e.status = reply.status;
      return e;
    }

    function shown(error) {
      fail(error.message);
      say('');
    }

    // ---- session ----
    function forgetSession() {
      w.session = null;
      storeSession(server, tenant, null);
      renderComposer();
      if (w.live) w.live.reconnect();
    }

    function join(name) {
      return request('POST', '/sessions', { displayName: name }, { anonymous: true }).then(function (reply) {
        if (reply.status !== 201) throw explain(reply);
        w.session = {
          token: reply.json.sessionToken,
          id: reply.json.sessionId,
          name: name,
          expiresAt: reply.json.expiresAt,
        };
        storeSession(server, tenant, w.session);
        renderComposer();
        loadBlocks();
        if (w.live) w.live.reconnect();
      });
    }

    function needSession() {
      if (w.session) return true;
      fail(T.needName);
      var input = composer.querySelector('input');
      if (input) input.focus();
      return false;
    }

    // ---- blocks (per reader; the pages are the same for everyone) ----
    function loadBlocks() {
      if (!w.session) return Promise.resolve();
      return request('GET', '/blocks').then(
        function (reply) {
          if (reply.status === 200 && reply.json) setBlocked(reply.json.userIds || []);
        },
        function () {}
      );
    }
    function setBlocked(ids) {
      w.blocksKnown = true;
      w.blocked = {};
      ids.forEach(function (id) {
        w.blocked[id] = true;
      });
      Object.keys(w.comments).forEach(function (id) {
        renderComment(w.comments[id]);
      });
    }
    function block(userId, on) {
      if (!needSession()) return;
      var call = on
        ? write('POST', '/blocks', { userId: userId })
        : write('DELETE', '/blocks/' + encodeURIComponent(userId));
      call.then(
        function (reply) {
          setBlocked((reply.json && reply.json.userIds) || []);
        },
        function (e) {
          fail(e.status === 404 || e.status === 405 ? T.noBlocks : e.message);
        }
      );
    }

    // ---- composer ----
    function editor(options) {
      // A textarea with a code point counter; submit is stopped above the limit.
      var id = 'f' + randomKey().slice(0, 8);
      var area = h('textarea', { id: id, 'aria-describedby': id + 'c', maxlength: null });
      area.value = options.text || '';
      var counter = h('span', { class: 'count muted', id: id + 'c', 'aria-live': 'polite' });
      var submit = h('button', { class: 'primary', type: 'submit', text: options.submitLabel });
      var cancel = options.onCancel
        ? h('button', { type: 'button', text: T.cancel, onclick: options.onCancel })
        : null;
      // Images to attach (a new top-level comment only): uploaded when the form is sent.
      var files = options.images
        ? h('input', { id: id + 'i', type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/gif,image/webp' })
        : null;
      function count() {
        var n = codePoints(area.value);
        var over = n - MAX_TEXT;
        counter.textContent =
          format(T.chars, { n: n.toLocaleString(lang), max: MAX_TEXT.toLocaleString(lang) }) +
          (over > 0 ? ' ' + format(T.tooLong, { n: over.toLocaleString(lang) }) : '');
        counter.className = 'count muted' + (over > 0 ? ' over' : '');
        submit.disabled = over > 0 || !area.value.trim() || w.locked;
      }
      area.addEventListener('input', count);
      var form = h(
        'form',
        {
          onsubmit: function (event) {
            event.preventDefault();
            if (codePoints(area.value) > MAX_TEXT || !area.value.trim()) return;
            var chosen = files ? Array.prototype.slice.call(files.files) : [];
            if (chosen.length > MAX_IMAGES) {
              fail(format(T.tooManyImages, { n: MAX_IMAGES }));
              return;
            }
            submit.disabled = true;
            options.onSubmit(area.value, chosen).then(
              function () {
                area.value = '';
                if (files) files.value = '';
                count();
              },
              function (e) {
                shown(e);
                count();
              }
            );
          },
          onkeydown: function (event) {
            if (event.key === 'Escape' && options.onCancel) {
              event.preventDefault();
              options.onCancel();
            } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              form.requestSubmit();
            }
          },
        },
        [
          h('label', { for: id, text: options.label }),
          area,
          h('div', { class: 'row' }, [submit, cancel, counter]),
          // After the send button: a writer who tabs from the text still reaches it first.
          files ? h('div', { class: 'row' }, [h('label', { for: id + 'i', text: format(T.attach, { n: MAX_IMAGES }) }), files]) : null,
        ]
      );
      count();
      form.area = area;
      return form;
    }

    function renderComposer() {
      composer.textContent = '';
      if (!w.session) {
        var nameInput = h('input', { id: 'name', autocomplete: 'nickname', maxlength: MAX_NAME });
        composer.appendChild(
          h(
            'form',
            {
              class: 'row',
              onsubmit: function (event) {
                event.preventDefault();
                var name = nameInput.value.trim();
                if (!name) {
                  nameInput.focus();
                  return;
                }
                fail('');
                join(name).then(
                  function () {
                    var area = composer.querySelector('textarea');
                    if (area) area.focus();
                  },
                  shown
                );
              },
            },
            [h('label', { for: 'name', text: T.name }), nameInput, h('button', { class: 'primary', type: 'submit', text: T.join })]
          )
        );
        return;
      }
      composer.appendChild(h('p', { class: 'muted', text: format(T.signedAs, { name: w.session.name }) }));
      composer.appendChild(
        editor({
          label: T.write,
          submitLabel: T.post,
          images: true,
          onSubmit: function (text, images) {
            return uploadAll(images || []).then(function (media) {
              return post(text, null, media);
            });
          },
        })
      );
    }

    // ---- writes ----
    /** Uploads each image in turn (the API's answer gives its id, url and size); none: none. */
    function uploadAll(images) {
      var media = [];
      return images.reduce(function (done, file) {
        return done.then(function () {
          return request('POST', '/media', file, { contentType: file.type }).then(function (reply) {
            var json = reply.json;
            if (reply.status !== 201 || !json) throw explain(reply);
            media.push({ mediaId: json.mediaId, url: json.url, contentType: json.contentType, width: json.width, height: json.height });
          });
        });
      }, Promise.resolve()).then(function () {
        return media;
      });
    }

    function post(text, parentId, media) {
      media = media || [];
      var body = { text: text, parentId: parentId };
      if (media.length) body.media = media.map(function (m) { return m.mediaId; });
      // Kept for the moderators, who see where the thread lives rather than its id.
      var page = hostPage(pageUrl);
      if (page) body.page = page;
      return write('POST', '/threads/' + thread + '/comments', body).then(
        function (reply) {
          // Held for the moderators: no reader sees it yet, its writer included, so say so.
          if (reply.json.status === 'pending') {
            say(T.held);
            return;
          }
          // Shown at once; the live message or the next read (with the consistency token) agrees.
          var id = reply.json.commentId;
          if (!w.comments[id]) {
            place(
              {
                id: id,
                parentId: parentId,
                author: { id: w.session.id, name: w.session.name },
                text: text.trim(),
                postedAt: new Date().toISOString(),
                editedAt: null,
                deleted: false,
                votes: { up: 0, down: 0 },
                media: media,
                myVote: 'none',
                replies: [],
                repliesNextCursor: null,
              },
              true
            );
          }
          say(T.posted);
        }
      );
    }

    function vote(c, direction) {
      if (!needSession()) return;
      var next = c.data.myVote === direction ? 'none' : direction;
      write('POST', '/comments/' + c.data.id + '/vote', { direction: next }).then(function () {
        var votes = { up: c.data.votes.up, down: c.data.votes.down };
        if (c.data.myVote !== 'none') votes[c.data.myVote] -= 1;
        if (next !== 'none') votes[next] += 1;
        c.data.votes = votes;
        c.data.myVote = next;
        renderComment(c);
      }, shown);
    }

    // ---- the tree ----
    function level(c) {
      var n = 1;
      var p = c.data.parentId && w.comments[c.data.parentId];
      while (p) {
        n++;
        p = p.data.parentId && w.comments[p.data.parentId];
      }
      return n;
    }

    /** Adds a comment (and the replies it carries) to the tree; new ones go where they belong. */
    function place(data, atTop) {
      var c = w.comments[data.id];
      if (c) {
        update(data);
        return c;
      }
      c = { data: data, node: h('li', { role: 'treeitem' }), body: h('div'), group: null, more: null };
      c.node.appendChild(c.body);
      w.comments[data.id] = c;
      var parent = data.parentId && w.comments[data.parentId];
      if (parent) {
        ensureGroup(parent).appendChild(c.node);
      } else if (!data.parentId) {
        if (atTop) list.insertBefore(c.node, list.firstChild);
        else list.appendChild(c.node);
      } else {
        delete w.comments[data.id];
        return null;
      }
      renderComment(c);
      (data.replies || []).forEach(function (reply) {
        place(reply, false);
      });
      delete data.replies;
      setRepliesCursor(c, data.repliesNextCursor);
      emptyNote.hidden = true;
      return c;
    }

    function ensureGroup(c) {
      if (!c.group) {
        c.group = h('ul', { role: 'group' });
        c.node.insertBefore(c.group, c.more);
        c.node.setAttribute('aria-expanded', 'true');
      }
      return c.group;
    }

    function setRepliesCursor(c, cursor) {
      c.cursor = cursor || null;
      if (!cursor) {
        if (c.more) c.more.remove();
        c.more = null;
        return;
      }
      if (!c.more) {
        c.more = h('button', {
          type: 'button',
          text: T.moreReplies,
          onclick: function () {
            loadReplies(c);
          },
        });
        c.node.appendChild(c.more);
      }
    }

    function update(data) {
      var c = w.comments[data.id];
      if (!c) return;
      ['author', 'text', 'editedAt', 'deleted', 'votes', 'myVote', 'status', 'media'].forEach(function (key) {
        if (key in data) c.data[key] = data[key];
      });
      renderComment(c);
    }

    function when(iso) {
      var seconds = (Date.parse(iso) - Date.now()) / 1000;
      var units = [
        ['year', 31536000],
        ['month', 2592000],
        ['week', 604800],
        ['day', 86400],
        ['hour', 3600],
        ['minute', 60],
      ];
      for (var i = 0; i < units.length; i++) {
        if (Math.abs(seconds) >= units[i][1]) {
          return times.format(Math.round(seconds / units[i][1]), units[i][0]);
        }
      }
      return times.format(Math.min(0, Math.round(seconds)), 'second');
    }

    function renderComment(c) {
      var d = c.data;
      var body = c.body;
      body.textContent = '';
      c.node.setAttribute('aria-level', String(level(c)));
      var mine = w.session && d.author && d.author.id === w.session.id;
      if (d.deleted || d.status === 'removed') {
        // A moderator's removal keeps the comment's place (its replies stay) without author or text.
        body.appendChild(h('p', { class: 'muted', text: d.deleted ? T.deleted : T.removed }));
        return;
      }
      if (d.author && w.blocked[d.author.id]) {
        body.appendChild(
          h('p', { class: 'muted' }, [
            T.blockedHidden + ' ',
            h('button', { type: 'button', text: T.unblock, onclick: function () { block(d.author.id, false); } }),
          ])
        );
        return;
      }
      var name = (d.author && d.author.name) || '';
      var header = h('div', null, [
        h('bdi', { class: 'author', text: name }),
        mine ? h('span', { class: 'muted', text: ' (' + T.you + ')' }) : null,
        ' · ',
        h('time', { class: 'muted', datetime: d.postedAt, title: new Date(d.postedAt).toLocaleString(lang), text: when(d.postedAt) }),
        d.editedAt ? h('span', { class: 'muted', text: ' · ' + T.edited }) : null,
      ]);
      var text = h('div', { class: 'text', dir: 'auto' }, richText(d.text));
      var media = d.media && d.media.length ? h('div', { class: 'media' }, d.media.map(function (m, i) { return picture(m, i, d.media.length, name); })) : null;
      var actions = h('div', { class: 'actions' }, [
        voteButton(c, 'up', '▲', T.up),
        voteButton(c, 'down', '▼', T.down),
        w.locked ? null : h('button', { type: 'button', class: 'reply', text: T.reply, onclick: function (e) { openForm(c, 'reply', e.target); } }),
        mine ? h('button', { type: 'button', class: 'edit', text: T.edit, onclick: function (e) { openForm(c, 'edit', e.target); } }) : null,
        mine ? h('button', { type: 'button', class: 'delete', text: T.del, onclick: function () { remove(c); } }) : null,
        mine ? null : h('button', { type: 'button', class: 'flag', text: T.flag, onclick: function (e) { openForm(c, 'flag', e.target); } }),
        mine || !d.author ? null : h('button', { type: 'button', class: 'block', text: T.block, onclick: function () { block(d.author.id, true); } }),
      ]);
      body.appendChild(h('article', null, [header, text, media, actions]));
      c.form = null;
    }

    /**
     * An image the comment shows, from the comments server's CDN: lazy, and sized by the page's
     * numbers so nothing moves when it arrives. One a moderator removed since (410) or this node
     * cannot serve yet goes away rather than showing as broken.
     */
    function picture(m, i, n, name) {
      var img = h('img', {
        src: server + m.url,
        alt: format(T.image, { i: i + 1, n: n, name: name }),
        loading: 'lazy',
        decoding: 'async',
        width: m.width || null,
        height: m.height || null,
        onerror: function () { img.remove(); },
      });
      return img;
    }

    function voteButton(c, direction, arrow, label) {
      // The name is what the button shows ("Vote up 3"): the arrow is decoration.
      return h(
        'button',
        { type: 'button', class: direction, 'aria-pressed': String(c.data.myVote === direction), onclick: function () { vote(c, direction); } },
        [h('span', { 'aria-hidden': 'true', text: arrow + ' ' }), h('span', { class: 'sr', text: label + ' ' }), h('span', { class: 'n', text: String(c.data.votes[direction]) })]
      );
    }

    function openForm(c, kind, opener) {
      if (!needSession()) return;
      if (c.form) c.form.remove();
      function close() {
        if (c.form) c.form.remove();
        c.form = null;
        opener.focus();
      }
      var form;
      if (kind === 'flag') {
        var id = 'r' + randomKey().slice(0, 8);
        var reason = h('input', { id: id, maxlength: 500 });
        form = h(
          'form',
          {
            onsubmit: function (event) {
              event.preventDefault();
              if (!reason.value.trim()) return reason.focus();
              write('POST', '/comments/' + c.data.id + '/flag', { reason: reason.value.trim() }).then(function () {
                say(T.flagged);
                close();
              }, shown);
            },
            onkeydown: function (event) {
              if (event.key === 'Escape') {
                event.preventDefault();
                close();
              }
            },
          },
          [
            h('label', { for: id, text: T.reason }),
            h('div', { class: 'row' }, [reason, h('button', { class: 'primary', type: 'submit', text: T.send }), h('button', { type: 'button', text: T.cancel, onclick: close })]),
          ]
        );
      } else {
        form = editor({
          label: kind === 'reply' ? T.reply : T.edit,
          submitLabel: kind === 'reply' ? T.post : T.save,
          text: kind === 'edit' ? c.data.text : '',
          onCancel: close,
          onSubmit: function (text) {
            var done =
              kind === 'reply'
                ? post(text, c.data.id)
                : write('PATCH', '/comments/' + c.data.id, { text: text }).then(function () {
                    c.data.text = text.trim();
                    c.data.editedAt = new Date().toISOString();
                    renderComment(c);
                  });
            return done.then(function () {
              if (c.form) c.form.remove();
              c.form = null;
              opener.isConnected ? opener.focus() : null;
            });
          },
        });
      }
      c.form = form;
      c.body.appendChild(form);
      (form.area || form.querySelector('input')).focus();
    }

    function remove(c) {
      if (!window.confirm(T.confirmDelete)) return;
      write('DELETE', '/comments/' + c.data.id).then(function () {
        c.data.deleted = true;
        renderComment(c);
      }, shown);
    }

    function setLocked(locked) {
      if (w.locked === locked) return;
      w.locked = locked;
      lockedNote.hidden = !locked;
      composer.hidden = locked;
      Object.keys(w.comments).forEach(function (id) {
        renderComment(w.comments[id]);
      });
    }

    // ---- reads ----
    function readPage(cursor) {
      // A public read stays on this node (nearest); the reader's own writes come back through the
      // consistency token, which the node waits for whatever the preference.
      var query = '?sort=' + w.sort + '&limit=20&replyLimit=5&readPreference=nearest' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      return request('GET', '/threads/' + thread + '/comments' + query, undefined, { consistency: w.consistency });
    }

    function reload() {
      say(T.loading);
      return readPage(null).then(
        function (reply) {
          if (reply.status === 404 && reply.json && reply.json.error.code === 'thread_not_found') {
            reply = { status: 200, json: { comments: [], nextCursor: null }, headers: reply.headers, empty: true };
          }
          var code = reply.json && reply.json.error && reply.json.error.code;
          if (reply.status === 400 && code === 'invalid_consistency_token' && w.consistency) {
            // Signed with a key the server no longer takes: the write it proved is long visible.
            w.consistency = null;
            storeToken(tokenStore, null);
            return reload();
          }
          if (reply.status !== 200) throw explain(reply);
          fail('');
          say('');
          list.textContent = '';
          w.comments = {};
          w.pending = [];
          showPendingCount();
          var position = Number(reply.headers.get('X-Thread-Position'));
          w.position = reply.empty || isNaN(position) ? -1 : position;
          reply.json.comments.forEach(function (comment) {
            place(comment, false);
          });
          w.nextCursor = reply.json.nextCursor;
          moreButton.hidden = !w.nextCursor;
          emptyNote.hidden = reply.json.comments.length > 0;
          setLocked(!!reply.json.locked);
          if (!w.rendered) {
            w.rendered = true;
            // For pages and benchmarks: from DOMContentLoaded to this mark is the time to a thread.
            if (window.performance && performance.mark) {
              performance.mark('comments:rendered', { detail: { thread: thread, comments: reply.json.comments.length } });
            }
          }
          follow();
        })
        .catch(function (e) {
          if (e instanceof TypeError) {
            // Unreachable (or refused before an answer): show it, and try again a little later.
            fail(T.offline);
            say('');
            setTimeout(reload, 5000);
            return;
          }
          shown(e);
        });
    }

    function loadMore() {
      if (!w.nextCursor) return;
      readPage(w.nextCursor).then(function (reply) {
        if (reply.status !== 200) throw explain(reply);
        reply.json.comments.forEach(function (comment) {
          place(comment, false);
        });
        w.nextCursor = reply.json.nextCursor;
        moreButton.hidden = !w.nextCursor;
      }).catch(shown);
    }

    function loadReplies(c) {
      request('GET', '/threads/' + thread + '/comments/' + c.data.id + '/replies?limit=20&readPreference=nearest&cursor=' + encodeURIComponent(c.cursor), undefined, { consistency: w.consistency })
        .then(function (reply) {
          if (reply.status !== 200) throw explain(reply);
          reply.json.replies.forEach(function (r) {
            place(r, false);
          });
          setRepliesCursor(c, reply.json.nextCursor);
        })
        .catch(shown);
    }

    // ---- live ----
    function follow() {
      if (w.live) {
        w.live.resumeFrom(w.position);
        return;
      }
      if (!window.CommentsLive) return;
      w.live = window.CommentsLive.connect({
        base: server,
        tenant: tenant,
        thread: thread,
        since: w.position,
        token: function () {
          return w.session && w.session.token;
        },
        onMessage: onLive,
        onState: function (state, detail) {
          liveMark.hidden = state !== 'open';
          if (state === 'reconnecting') say(T.reconnecting);
          if (state === 'open') say('');
          if (state === 'closed' && detail && detail.code === 4401) forgetSession();
        },
      });
    }

    function onLive(m) {
      var p = m.payload || {};
      switch (m.type) {
        case 'presence':
          readers.textContent = format(T.readers, { n: p.viewers });
          return;
        case 'resync':
          reload();
          return;
        case 'thread-locked':
        case 'thread-unlocked':
          setLocked(!!p.locked);
          return;
        case 'subscribed':
        case 'error':
          return;
      }
      if (typeof m.position === 'number' && m.position <= w.position) return;
      if (typeof m.position === 'number') w.position = m.position;
      if (m.type === 'vote-changed') {
        update({ id: p.commentId, votes: p.votes, myVote: p.myVote });
        w.pending.forEach(function (q) {
          if (q.id === p.commentId) q.votes = p.votes;
        });
      } else if (m.type === 'comment-posted') {
        arrived(p);
      } else if (m.type === 'comment-moderated') {
        moderated(p);
      } else if (m.type === 'comment-edited' || m.type === 'comment-deleted') {
        update(p);
        w.pending.forEach(function (q, i) {
          if (q.id === p.id) w.pending[i] = p;
        });
      }
    }

    /** A comment new to this reader: their own shows at once, others' behind "N new comments". */
    function arrived(p) {
      if (w.comments[p.id]) update(p);
      else if (p.author && w.blocked[p.author.id]) return;
      else if (w.session && p.author && p.author.id === w.session.id) place(p, w.sort !== 'oldest');
      else {
        w.pending.push(p);
        showPendingCount();
      }
    }

    /**
     * A moderator's decision (or the flag threshold): approved shows the comment (it may be new here,
     * a held one just approved), removed keeps its place without author or text, pending and
     * rejected take it and its replies out of view, as a reload would.
     */
    function moderated(p) {
      w.pending = w.pending.filter(function (q) {
        return q.id !== p.id;
      });
      var c = w.comments[p.id];
      if (p.status === 'pending' || p.status === 'rejected') {
        if (c) {
          Object.keys(w.comments).forEach(function (id) {
            if (c.node.contains(w.comments[id].node)) delete w.comments[id];
          });
          c.node.remove();
        }
      } else if (c) {
        update(p);
      } else if (p.status === 'approved') {
        arrived(p);
        return;
      }
      showPendingCount();
    }

    function showPendingCount() {
      var n = w.pending.length;
      newButton.hidden = n === 0;
      newButton.textContent = format(plural.select(n) === 'one' ? T.newOne : T.newMany, { n: n });
    }

    function showPending() {
      var atTop = w.sort !== 'oldest';
      var items = atTop ? w.pending.slice().reverse() : w.pending;
      var first = null;
      items.forEach(function (p) {
        var c = place(p, atTop && !p.parentId);
        if (c && !first) first = c;
      });
      w.pending = [];
      showPendingCount();
      var target = first && first.node.querySelector('button');
      if (target) target.focus();
    }

    setInterval(function () {
      Array.prototype.forEach.call(list.querySelectorAll('time'), function (t) {
        t.textContent = when(t.getAttribute('datetime'));
      });
    }, 60000);

    renderComposer();
    (w.session ? loadBlocks() : Promise.resolve()).then(reload);
  }

  /** What is wrong with the element's attributes, in words, or null. */
  function check(host) {
    var ds = host.dataset;
    var unknown = Object.keys(ds).filter(function (key) {
      return /^comments[A-Z]/.test(key) && ATTRIBUTES.indexOf(key.slice(8).toLowerCase()) < 0;
    });
    if (unknown.length) {
      return 'unknown attribute ' + unknown.map(function (k) {
        var rest = k.slice(8);
        return 'data-comments-' + rest[0].toLowerCase() + rest.slice(1).replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); });
      }).join(', ') + '; the known ones are ' + ATTRIBUTES.map(function (a) { return 'data-comments-' + a; }).join(', ') + '.';
    }
    if (!ds.commentsTenant) return 'data-comments-tenant is missing: set it to your tenant id.';
    if (!TENANT_ID.test(ds.commentsTenant)) return 'data-comments-tenant "' + ds.commentsTenant + '" is not a tenant id (a-z, 0-9, -).';
    if (ds.commentsThread !== undefined && !THREAD_ID.test(ds.commentsThread)) {
      return 'data-comments-thread "' + ds.commentsThread + '" is not a thread id: 1 to 200 of A-Z a-z 0-9 . _ ~ : - (leave it out to use the page URL).';
    }
    if (ds.commentsSort !== undefined && SORTS.indexOf(ds.commentsSort) < 0) return 'data-comments-sort must be one of ' + SORTS.join(', ') + '.';
    if (ds.commentsTheme !== undefined && THEMES.indexOf(ds.commentsTheme) < 0) return 'data-comments-theme must be one of ' + THEMES.join(', ') + '.';
    if (ds.commentsLanguage !== undefined && !STRINGS[ds.commentsLanguage.toLowerCase().split('-')[0]]) {
      return 'data-comments-language must be one of ' + Object.keys(STRINGS).join(', ') + '.';
    }
    if (ds.commentsServer !== undefined && !/^https?:\/\/[^/]+\/?$/.test(ds.commentsServer)) return 'data-comments-server must be an origin such as https://comments.example.';
    return null;
  }

  function boot() {
    Array.prototype.forEach.call(
      document.querySelectorAll('[data-comments-tenant],[data-comments-thread]'),
      mount
    );
  }

  window.CommentsWidget = { mount: mount, threadOfUrl: threadOfUrl, sha256Hex: sha256Hex };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
